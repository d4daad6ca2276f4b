"""Tests for toolkit.text.ingest: every format, every bad-input case, on real files in tmp_path."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from toolkit.text.ingest import (
    FAMILIES,
    FORMATS,
    SUGARCREPE_CATEGORIES,
    BadRecord,
    CaptionRecord,
    PairRecord,
    ReadReport,
    detect_format,
    read_captions,
    read_pairs,
)

SUGARCREPE_DEV_COUNTS = {
    "replace_obj": 828,
    "replace_att": 389,
    "replace_rel": 739,
    "swap_obj": 121,
    "swap_att": 327,
    "add_obj": 1070,
    "add_att": 335,
}


# --------------------------------------------------------------------------- helpers


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def jsonl(*objs: object) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def split(items: list) -> tuple[list[CaptionRecord], list[BadRecord]]:
    good = [r for r in items if not isinstance(r, BadRecord)]
    bad = [r for r in items if isinstance(r, BadRecord)]
    return good, bad


def sugarcrepe_dev_dir() -> Path | None:
    """The shared SugarCrepe dev folder: shared/ beside the repo (worktree or CI clone) or inside it."""
    here = Path(__file__).resolve()
    rel = "shared/benchmarks/sugarcrepe-dev"
    for candidate in (here.parents[2] / rel, here.parents[1].parent / rel, here.parents[1] / rel):
        if candidate.is_dir():
            return candidate
    return None


def make_sugarcrepe(folder: Path) -> Path:
    write(
        folder / "replace_obj.json",
        json.dumps(
            {
                "0": {"filename": "a.jpg", "caption": "A dog on a sofa.", "negative_caption": "A cat on a sofa."},
                "5": {
                    "filename": "b.jpg",
                    "caption": "Two  men\tride bikes.",
                    "negative_caption": "Two men ride horses.",
                },
            }
        ),
    )
    write(
        folder / "swap_att.json",
        json.dumps(
            {
                # same caption + image as replace_obj key 0 -> de-duplicated in read_captions
                "3": {"filename": "a.jpg", "caption": "A dog on a sofa.", "negative_caption": "A sofa on a dog."},
                # same caption, different image -> kept
                "4": {"filename": "c.jpg", "caption": "A dog on a sofa.", "negative_caption": "A sofa on a dog."},
            }
        ),
    )
    write(
        folder / "add_att.json",
        json.dumps({"9": {"filename": "d.jpg", "caption": "A red bus.", "negative_caption": "A red double bus."}}),
    )
    return folder


# --------------------------------------------------------------------------- records


def test_bad_record_str() -> None:
    assert str(BadRecord("f.jsonl", "line 12", "caption", "empty caption")) == "f.jsonl:line 12: caption: empty caption"
    assert str(BadRecord("f.json", "file", None, "malformed JSON: x")) == "f.json:file: malformed JSON: x"


def test_read_report_reasons() -> None:
    report = ReadReport(read=3)
    report.bad += [
        BadRecord("f", "line 1", "caption", "empty caption"),
        BadRecord("f", "line 2", "caption", "caption longer than 1000 characters (1534)"),
        BadRecord("f", "line 3", "caption", "caption longer than 1000 characters (2000)"),
        BadRecord("f", "line 4", None, "malformed JSON: Expecting ',' delimiter (column 5)"),
        BadRecord("f", "line 5", None, "not valid UTF-8 (byte 0xff at position 7)"),
    ]
    assert report.reasons() == {
        "empty caption": 1,
        "caption longer than 1000 characters": 2,
        "malformed JSON": 1,
        "not valid UTF-8": 1,
    }
    assert ReadReport().reasons() == {} and ReadReport().bad == []


def test_constants() -> None:
    assert FORMATS == ("jsonl", "csv", "coco", "sugarcrepe", "txt")
    assert len(SUGARCREPE_CATEGORIES) == 8 and "swap_rel" in SUGARCREPE_CATEGORIES
    assert FAMILIES == ("swap", "replace", "add")


# --------------------------------------------------------------------------- detect_format


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(write(tmp_path / "a.jsonl", "")) == "jsonl"
    assert detect_format(write(tmp_path / "a.ndjson", "")) == "jsonl"
    assert detect_format(write(tmp_path / "a.csv", "caption\n")) == "csv"
    assert detect_format(write(tmp_path / "a.TSV", "caption\n")) == "csv"
    assert detect_format(write(tmp_path / "a.txt", "x\n")) == "txt"
    coco = write(tmp_path / "coco.json", json.dumps({"images": [], "annotations": []}))
    assert detect_format(coco) == "coco"
    single = write(
        tmp_path / "mine.json", json.dumps({"1": {"caption": "a", "negative_caption": "b", "filename": "x"}})
    )
    assert detect_format(single) == "sugarcrepe"
    assert detect_format(make_sugarcrepe(tmp_path / "sc")) == "sugarcrepe"
    # JSON lines in a .json file
    assert detect_format(write(tmp_path / "lines.json", jsonl({"caption": "a"}, {"caption": "b"}))) == "jsonl"


def test_detect_format_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="extension"):
        detect_format(write(tmp_path / "a.parquet", ""))
    with pytest.raises(ValueError, match="SugarCrepe"):
        detect_format(write(tmp_path / "other.json", json.dumps({"foo": [1, 2]})))
    with pytest.raises(ValueError, match="malformed JSON"):
        detect_format(write(tmp_path / "broken.json", '{"annotations": ['))
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(ValueError, match="none of the SugarCrepe files"):
        detect_format(tmp_path / "empty_dir")
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        detect_format(tmp_path / "nope.jsonl")


def test_missing_file_and_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.jsonl"):
        read_captions(tmp_path / "missing.jsonl")  # raised at call time, not on first next()
    f = write(tmp_path / "a.jsonl", "")
    with pytest.raises(ValueError, match="unknown format"):
        read_captions(f, format="parquet")
    with pytest.raises(ValueError, match="max_chars"):
        read_captions(f, max_chars=0)
    with pytest.raises(FileNotFoundError):
        read_pairs(tmp_path / "missing_dir")


# --------------------------------------------------------------------------- jsonl


def test_jsonl_happy_path(tmp_path: Path) -> None:
    f = write(
        tmp_path / "caps.jsonl",
        jsonl(
            {"caption": "  A dog   runs\non grass. ", "image": "img/1.jpg", "id": 7, "category": "animals"},
            {"text": "A cat.", "filename": "2.jpg"},
        )
        + "\n   \n"  # blank lines are skipped silently
        + jsonl({"positive": "A bird.", "url": "http://x/3.jpg"}, {"caption": "No image."}),
    )
    records = list(read_captions(f))
    assert all(isinstance(r, CaptionRecord) for r in records)
    assert [r.text for r in records] == ["A dog runs on grass.", "A cat.", "A bird.", "No image."]
    assert [r.image for r in records] == ["img/1.jpg", "2.jpg", "http://x/3.jpg", None]
    assert [r.ref for r in records] == ["line 1", "line 2", "line 5", "line 6"]
    assert records[0].meta == {"id": 7, "category": "animals"}
    assert records[0].source == str(f)
    assert records[2].meta == {} and records[3].meta == {}


def test_jsonl_caption_field_priority(tmp_path: Path) -> None:
    f = write(tmp_path / "p.jsonl", jsonl({"positive": "p", "text": "t"}, {"text": "t", "caption": "c"}))
    records = list(read_captions(f))
    assert [r.text for r in records] == ["t", "c"]
    assert records[0].meta == {"positive": "p"}


def test_jsonl_malformed_line_in_middle(tmp_path: Path) -> None:
    f = write(tmp_path / "m.jsonl", '{"caption": "one"}\n{"caption": "two" "x": 1}\n{"caption": "three"}\n[1, 2]\n')
    good, bad = split(list(read_captions(f)))
    assert [r.text for r in good] == ["one", "three"]
    assert [b.ref for b in bad] == ["line 2", "line 4"]
    assert bad[0].reason.startswith("malformed JSON: Expecting ',' delimiter")
    assert bad[0].source == str(f) and bad[0].field is None
    assert "not a JSON object" in bad[1].reason


def test_jsonl_non_utf8_line(tmp_path: Path) -> None:
    f = write(tmp_path / "u.jsonl", b'{"caption": "ok"}\n{"caption": "caf\xff"}\n{"caption": "after"}\n')
    items = list(read_captions(f))
    assert [type(r) for r in items] == [CaptionRecord, BadRecord, CaptionRecord]
    assert items[1].ref == "line 2"
    assert items[1].reason == "not valid UTF-8 (byte 0xff at position 16)"
    assert items[2].text == "after"


def test_jsonl_bad_captions(tmp_path: Path) -> None:
    f = write(
        tmp_path / "b.jsonl",
        jsonl(
            {"caption": "   "},
            {"caption": "x" * 1534},
            {"id": 1},
            {"caption": 42},
            {"caption": None},
            {"text": ""},
            {"caption": "fine", "image": 5},
            {"caption": "x" * 10},
        ),
    )
    items = list(read_captions(f, max_chars=1000))
    assert [(r.ref, r.field, r.reason) for r in items[:7]] == [
        ("line 1", "caption", "empty caption"),
        ("line 2", "caption", "caption longer than 1000 characters (1534)"),
        ("line 3", "caption", "missing field 'caption' (also tried 'text', 'positive')"),
        ("line 4", "caption", "caption is not a string (number)"),
        ("line 5", "caption", "caption is not a string (null)"),
        ("line 6", "text", "empty caption"),
        ("line 7", "image", "image is not a string (number)"),
    ]
    assert isinstance(items[7], CaptionRecord)
    assert list(read_captions(f, max_chars=5))[7].reason == "caption longer than 5 characters (10)"


def test_jsonl_nan_rejected(tmp_path: Path) -> None:
    f = write(tmp_path / "n.jsonl", '{"caption": "a", "score": NaN}\n')
    (bad,) = list(read_captions(f))
    assert isinstance(bad, BadRecord) and bad.reason.startswith("malformed JSON")


def test_bom_handling(tmp_path: Path) -> None:
    f = write(tmp_path / "bom.jsonl", b"\xef\xbb\xbf" + jsonl({"caption": "first"}, {"caption": "second"}).encode())
    assert [r.text for r in read_captions(f)] == ["first", "second"]
    t = write(tmp_path / "bom.txt", b"\xef\xbb\xbfHello there\r\nSecond line\r\n")
    assert [r.text for r in read_captions(t)] == ["Hello there", "Second line"]
    c = write(tmp_path / "bom.csv", b"\xef\xbb\xbfCaption,image\r\nA dog,d.jpg\r\n")
    (rec,) = list(read_captions(c))
    assert (rec.text, rec.image) == ("A dog", "d.jpg")
    # bad bytes on the BOM line: position counted in the raw line bytes
    b = write(tmp_path / "bombad.txt", b"\xef\xbb\xbfab\xff\nok\n")
    items = list(read_captions(b))
    assert items[0].reason == "not valid UTF-8 (byte 0xff at position 5)"
    assert items[1].text == "ok"
    # UTF-16 is a whole-file problem
    u16 = write(tmp_path / "u16.txt", "hello\n".encode("utf-16"))
    (bad,) = list(read_captions(u16))
    assert bad.ref == "file" and "UTF-16" in bad.reason


def test_image_root(tmp_path: Path) -> None:
    root = tmp_path / "images"
    f = write(
        tmp_path / "r.jsonl",
        jsonl(
            {"caption": "a", "image": "x/1.jpg"},
            {"caption": "b", "image": "/abs/2.jpg"},
            {"caption": "c", "url": "https://host/3.jpg"},
            {"caption": "d"},
        ),
    )
    assert [r.image for r in read_captions(f, image_root=root)] == [
        str(root / "x/1.jpg"),
        "/abs/2.jpg",
        "https://host/3.jpg",
        None,
    ]
    assert [r.image for r in read_captions(f, image_root=str(root))][0] == str(root / "x/1.jpg")


# --------------------------------------------------------------------------- txt


def test_txt(tmp_path: Path) -> None:
    f = write(tmp_path / "c.txt", "A dog.\n\n  A   cat  \n" + "y" * 20 + "\nlast line without newline")
    items = list(read_captions(f, max_chars=15))
    assert [(getattr(r, "text", None), r.ref) for r in items] == [
        ("A dog.", "line 1"),
        ("A cat", "line 3"),
        (None, "line 4"),
        (None, "line 5"),
    ]
    assert items[2].reason == "caption longer than 15 characters (20)"
    assert items[0].meta == {} and items[0].image is None
    assert list(read_captions(f))[-1].text == "last line without newline"


# --------------------------------------------------------------------------- csv / tsv


def test_csv_happy_path(tmp_path: Path) -> None:
    f = write(
        tmp_path / "c.csv",
        'ID,Caption,File_Name\n1,"A dog, running",d.jpg\n2,"A ""quoted""\nmulti-line caption",e.jpg\n\n3,A cat,\n',
    )
    records = list(read_captions(f, image_root="/imgs"))
    assert all(isinstance(r, CaptionRecord) for r in records)
    assert [r.text for r in records] == ["A dog, running", 'A "quoted" multi-line caption', "A cat"]
    assert [r.image for r in records] == ["/imgs/d.jpg", "/imgs/e.jpg", None]
    assert [r.ref for r in records] == ["line 2", "line 3", "line 6"]
    assert records[0].meta == {"ID": "1"}
    assert records[2].meta == {"ID": "3", "File_Name": ""}


def test_tsv(tmp_path: Path) -> None:
    f = write(tmp_path / "c.tsv", "text\turl\nA dog, on grass\thttp://x/1.jpg\n")
    (rec,) = list(read_captions(f))
    assert (rec.text, rec.image, rec.meta) == ("A dog, on grass", "http://x/1.jpg", {})


def test_csv_bad_rows(tmp_path: Path) -> None:
    f = write(tmp_path / "b.csv", b"caption,image\nok one,1.jpg\ntoo,many,cols\n,2.jpg\ncaf\xe9,3.jpg\nlast,4.jpg\n")
    items = list(read_captions(f))
    assert [(r.ref, type(r).__name__) for r in items] == [
        ("line 2", "CaptionRecord"),
        ("line 3", "BadRecord"),
        ("line 4", "BadRecord"),
        ("line 5", "BadRecord"),
        ("line 6", "CaptionRecord"),
    ]
    assert items[1].reason == "wrong number of columns (expected 2, got 3)"
    assert (items[2].field, items[2].reason) == ("caption", "empty caption")
    assert items[3].reason.startswith("not valid UTF-8 (byte 0xe9")
    assert items[4].text == "last"


def test_csv_without_caption_column(tmp_path: Path) -> None:
    f = write(tmp_path / "n.csv", "id,image\n1,a.jpg\n2,b.jpg\n")
    (bad,) = list(read_captions(f))
    assert isinstance(bad, BadRecord)
    assert (bad.ref, bad.field) == ("file", "caption")
    assert "missing column 'caption'" in bad.reason
    empty = write(tmp_path / "empty.csv", "")
    (bad,) = list(read_captions(empty))
    assert bad.ref == "file" and "no header" in bad.reason


def test_csv_nul_byte_is_a_bad_caption(tmp_path: Path) -> None:
    f = write(tmp_path / "nul.csv", b"caption\nfirst\nbad\x00row\nthird\n")
    good, bad = split(list(read_captions(f)))
    assert [r.text for r in good] == ["first", "third"]
    assert [(b.ref, b.field, b.reason) for b in bad] == [
        ("line 3", "caption", "caption contains control character U+0000")
    ]


def test_csv_parser_error_reported_and_reading_continues(tmp_path: Path) -> None:
    huge = "x" * 200_000  # over csv.field_size_limit()
    f = write(tmp_path / "big.csv", f'caption\nfirst\n"{huge}"\nthird\n')
    good, bad = split(list(read_captions(f, max_chars=10)))
    assert [r.text for r in good] == ["first", "third"]
    assert len(bad) == 1 and bad[0].ref == "line 3" and bad[0].reason.startswith("malformed CSV: field larger")


# --------------------------------------------------------------------------- coco


def test_coco(tmp_path: Path) -> None:
    doc = {
        "images": [{"id": 1, "file_name": "000001.jpg"}, {"id": 2, "file_name": "000002.jpg"}],
        "annotations": [
            {"image_id": 1, "id": 10, "caption": "A man riding a horse. "},
            {"image_id": 2, "id": 11, "caption": "Two  dogs."},
            {"image_id": 99, "id": 12, "caption": "Orphan caption."},
            {"image_id": 1, "id": 13, "caption": ""},
            {"image_id": 1, "id": 14},
            {"image_id": 2, "id": 15, "caption": "Last."},
        ],
    }
    f = write(tmp_path / "captions_val.json", json.dumps(doc))
    items = list(read_captions(f, image_root="coco/val2017"))
    assert [r.ref for r in items] == [f"annotation {i}" for i in range(10, 16)]
    good, bad = split(items)
    assert [(r.text, r.image) for r in good] == [
        ("A man riding a horse.", str(Path("coco/val2017/000001.jpg"))),
        ("Two dogs.", str(Path("coco/val2017/000002.jpg"))),
        ("Last.", str(Path("coco/val2017/000002.jpg"))),
    ]
    assert good[0].meta == {"image_id": 1, "id": 10}
    assert [(b.field, b.reason) for b in bad] == [
        ("image_id", "unknown image id 99"),
        ("caption", "empty caption"),
        ("caption", "missing field 'caption'"),
    ]
    assert list(read_captions(f, format="coco", image_root="coco/val2017")) == items


def test_coco_malformed_file(tmp_path: Path) -> None:
    f = write(tmp_path / "broken.json", b'{"images": [], "annotations": [{"id": 1 "caption": "x"}]}')
    (bad,) = list(read_captions(f, format="coco"))
    assert bad.ref == "file" and bad.reason.startswith("malformed JSON: Expecting ',' delimiter")
    (bad,) = list(read_captions(f))  # auto: same, not an exception
    assert bad.ref == "file"
    u = write(tmp_path / "latin1.json", b'{"images": [], "annotations": [{"id": 1, "caption": "caf\xe9"}]}')
    (bad,) = list(read_captions(u, format="coco"))
    assert bad.ref == "file" and bad.reason.startswith("not valid UTF-8 (byte 0xe9")
    notcoco = write(tmp_path / "x.json", json.dumps([1, 2]))
    (bad,) = list(read_captions(notcoco, format="coco"))
    assert bad.ref == "file" and "annotations" in bad.reason


# --------------------------------------------------------------------------- sugarcrepe


def test_sugarcrepe_folder_dedup(tmp_path: Path) -> None:
    folder = make_sugarcrepe(tmp_path / "sc")
    records = list(read_captions(folder, image_root="/coco"))
    assert all(isinstance(r, CaptionRecord) for r in records)
    assert [(r.text, r.image, r.meta) for r in records] == [
        ("A dog on a sofa.", "/coco/a.jpg", {"category": "replace_obj", "key": "0"}),
        ("Two men ride bikes.", "/coco/b.jpg", {"category": "replace_obj", "key": "5"}),
        ("A dog on a sofa.", "/coco/c.jpg", {"category": "swap_att", "key": "4"}),
        ("A red bus.", "/coco/d.jpg", {"category": "add_att", "key": "9"}),
    ]
    assert records[0].source == str(folder / "replace_obj.json") and records[0].ref == "key 0"
    assert list(read_captions(folder, format="sugarcrepe", image_root="/coco")) == records


def test_sugarcrepe_single_file_and_bad_items(tmp_path: Path) -> None:
    f = write(
        tmp_path / "swap_obj.json",
        json.dumps(
            {
                "1": {"filename": "a.jpg", "caption": "A cup on a table.", "negative_caption": "A table on a cup."},
                "2": {"filename": "b.jpg", "caption": " ", "negative_caption": "x"},
                "3": {"filename": "b.jpg", "negative_caption": "x"},
                "4": "not an item",
            }
        ),
    )
    items = list(read_captions(f))
    assert items[0].text == "A cup on a table." and items[0].meta == {"category": "swap_obj", "key": "1"}
    assert [(b.ref, b.field, b.reason) for b in items[1:]] == [
        ("key 2", "caption", "empty caption"),
        ("key 3", "caption", "missing field 'caption'"),
        ("key 4", None, "item is not an object (str)"),
    ]


def test_sugarcrepe_malformed_file_does_not_stop_folder(tmp_path: Path) -> None:
    folder = make_sugarcrepe(tmp_path / "sc")
    write(folder / "swap_obj.json", b"{not json")
    items = list(read_captions(folder))
    good, bad = split(items)
    assert len(good) == 4
    assert [(b.source, b.ref) for b in bad] == [(str(folder / "swap_obj.json"), "file")]


# --------------------------------------------------------------------------- read_pairs


def test_read_pairs_sugarcrepe_folder(tmp_path: Path) -> None:
    folder = make_sugarcrepe(tmp_path / "sc")
    pairs = list(read_pairs(folder, image_root="/coco"))
    assert all(isinstance(p, PairRecord) for p in pairs)
    # files in SUGARCREPE_CATEGORIES order, items in file order, no de-duplication
    assert [(p.category, p.ref) for p in pairs] == [
        ("replace_obj", "key 0"),
        ("replace_obj", "key 5"),
        ("swap_att", "key 3"),
        ("swap_att", "key 4"),
        ("add_att", "key 9"),
    ]
    assert pairs[1].caption == "Two men ride bikes." and pairs[1].negative == "Two men ride horses."
    assert pairs[0].image == "/coco/a.jpg" and pairs[0].source == str(folder / "replace_obj.json")


def test_read_pairs_sugarcrepe_bad_items(tmp_path: Path) -> None:
    folder = tmp_path / "sc"
    write(
        folder / "add_obj.json",
        json.dumps(
            {
                "0": {"filename": "a.jpg", "caption": "A dog.", "negative_caption": ""},
                "1": {"filename": "a.jpg", "caption": "A dog."},
                "2": {"filename": "a.jpg", "caption": "A dog.", "negative_caption": "A dog and a cat."},
            }
        ),
    )
    items = list(read_pairs(folder))
    assert [(getattr(r, "field", None), getattr(r, "reason", None)) for r in items[:2]] == [
        ("negative_caption", "empty negative"),
        ("negative_caption", "missing field 'negative_caption'"),
    ]
    assert isinstance(items[2], PairRecord) and items[2].image == "a.jpg"


def test_read_pairs_jsonl(tmp_path: Path) -> None:
    f = write(
        tmp_path / "pairs.jsonl",
        jsonl(
            {
                "caption": "A dog bites a man.",
                "negative": "A man bites a dog.",
                "category": "swap_obj",
                "image": "1.jpg",
            },
            {"caption": "A red car.", "negative": "A blue car.", "category": "replace"},
            {"caption": "A car.", "negative": "A car.", "category": "teleport"},
            {"caption": "A car.", "category": "add"},
            {"caption": "  ", "negative": "x", "category": "add"},
            {"caption": "A car.", "negative": "A car and a tree."},
        )
        + "{broken\n"
        + jsonl({"caption": "Last.", "negative": "Last one.", "category": "add_obj", "filename": "9.jpg"}),
    )
    items = list(read_pairs(f, image_root="/r"))
    good = [r for r in items if isinstance(r, PairRecord)]
    bad = [r for r in items if isinstance(r, BadRecord)]
    assert [(p.category, p.ref, p.image) for p in good] == [
        ("swap_obj", "line 1", "/r/1.jpg"),
        ("replace", "line 2", None),
        ("add_obj", "line 8", "/r/9.jpg"),
    ]
    assert good[0].caption == "A dog bites a man." and good[0].negative == "A man bites a dog."
    assert [(b.ref, b.field) for b in bad] == [
        ("line 3", "category"),
        ("line 4", "negative"),
        ("line 5", "caption"),
        ("line 6", "category"),
        ("line 7", None),
    ]
    assert bad[0].reason == "unknown category 'teleport'"
    assert bad[1].reason == "missing field 'negative'"
    assert bad[2].reason == "empty caption"


# --------------------------------------------------------------------------- real development data


def test_sugarcrepe_dev_data() -> None:
    folder = sugarcrepe_dev_dir()
    if folder is None:
        pytest.skip("shared/benchmarks/sugarcrepe-dev not present")
    pairs = list(read_pairs(folder))
    assert not [p for p in pairs if isinstance(p, BadRecord)]
    counts = Counter(p.category for p in pairs)
    assert dict(counts) == SUGARCREPE_DEV_COUNTS
    # categories come out in SUGARCREPE_CATEGORIES order
    order = [c for c in SUGARCREPE_CATEGORIES if c in counts]
    assert list(dict.fromkeys(p.category for p in pairs)) == order
    captions = list(read_captions(folder))
    assert captions and not [r for r in captions if isinstance(r, BadRecord)]
    assert len(captions) <= sum(SUGARCREPE_DEV_COUNTS.values())
    assert len({(r.text, r.image) for r in captions}) == len(captions)
