"""The agent tools: typed functions over the same importable functions the CLI calls.

Each tool is `fn(context, input_model) -> output_model`; `TOOLS` lists them with their descriptions, and the
LangChain, OpenAI and MCP faces are built from that list. A tool raises `ToolInputError` (or a subclass) for
anything the calling model can correct; every face turns it into an error result.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.engine import Engine

from toolkit.faces.agents import models as m
from toolkit.faces.agents.safety import ReadOnlyError, ToolInputError, check_export_target, confine

COMPACT_SKIPS = 5


@dataclass(frozen=True)
class ScorerSpec:
    """An open_clip model the score tool may load (see `toolkit.evaluation.scoring.create_scorer`)."""

    model: str
    pretrained: str | None = None
    device: str = "auto"
    precision: str = "auto"
    batch_size: int = 32


@dataclass
class ToolContext:
    """What the tools share: the database engine, the workspace root that confines paths, the read-only
    switch, the scoring models they may load (loaded on first use and kept), and the spaCy pipeline."""

    engine: Engine | None
    workspace: Path
    read_only: bool = False
    scorers: dict[str, ScorerSpec] = field(default_factory=dict)
    annotator: str = "agent"
    nlp_loader: Callable[[], Any] | None = None
    _loaded: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.workspace = Path(self.workspace).resolve()
        if not self.workspace.is_dir():
            raise ValueError(f"workspace {self.workspace} is not a directory")

    @classmethod
    def open(cls, db: str | None, workspace: str | Path, *, read_only: bool = False, **kwargs: Any) -> ToolContext:
        """A context over the database `db` (see `toolkit.store.db.resolve_url`). Read-only contexts do not
        migrate the schema and refuse a SQLite file that does not exist yet."""
        from toolkit.store.db import make_engine, resolve_url

        url = resolve_url(db)
        if read_only and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            raise ValueError(f"read-only: no database at {url.removeprefix('sqlite:///')}")
        return cls(make_engine(db, migrate=not read_only), Path(workspace), read_only, **kwargs)

    def close(self) -> None:
        """Drop loaded models and close the database connections."""
        with self._lock:
            self._loaded.clear()
        if self.engine is not None:
            self.engine.dispose()

    # ---------------------------------------------------------------- shared resources

    def db(self) -> Engine:
        if self.engine is None:
            raise ToolInputError("this tool needs a database, and none is configured")
        return self.engine

    def writable(self, what: str) -> Engine:
        if self.read_only:
            raise ReadOnlyError(f"read-only mode: {what} is not allowed")
        return self.db()

    def nlp(self) -> Any:
        return self._load("nlp", self.nlp_loader or _default_nlp)

    def scorer(self, name: str | None) -> tuple[str, Any]:
        """(name, Scorer) of a configured model, loaded once."""
        if not self.scorers:
            raise ToolInputError("no scoring model is configured (start the server with --model)")
        name = name or next(iter(self.scorers))
        if name not in self.scorers:
            raise ToolInputError(f"model: {name!r} is not configured; choose from {', '.join(self.scorers)}")
        spec = self.scorers[name]

        def load() -> Any:
            from toolkit.evaluation.scoring import create_scorer
            from toolkit.evaluation.scoring.cache import DbCache, MemoryCache

            cache = DbCache(self.engine) if self.engine is not None and not self.read_only else MemoryCache()
            try:
                return create_scorer(spec.model, spec.pretrained, spec.device, spec.precision,
                                     batch_size=spec.batch_size, num_workers=0, cache=cache)
            except (ValueError, FileNotFoundError) as exc:
                raise ToolInputError(f"model {name!r} could not be loaded: {exc}") from exc

        return name, self._load(f"scorer:{name}", load)

    def _load(self, key: str, loader: Callable[[], Any]) -> Any:
        with self._lock:  # tools run on worker threads; a model is loaded once
            if key not in self._loaded:
                self._loaded[key] = loader()
            return self._loaded[key]


def _default_nlp() -> Any:
    from toolkit.text.nlp import load_nlp

    return load_nlp()


# --------------------------------------------------------------------------------------------- tools


def _change(provenance: dict) -> str:
    return "; ".join(e.get("detail", "") for e in provenance.get("edits", [])) or provenance.get("source", "")


def generate_negatives(ctx: ToolContext, args: m.GenerateNegativesInput) -> m.GenerateNegativesOutput:
    """Make hard negatives for one caption by SWAP, REPLACE and ADD edits of its objects, attributes and
    relations. Nothing is stored. Each negative says what changed; detail='full' adds token-level provenance."""
    from toolkit.generation.negatives import negatives_for
    from toolkit.generation.operators import GenerationConfig
    from toolkit.generation.operators.base import OPERATOR_NAMES, SUBTYPES

    try:
        config = GenerationConfig(tuple(args.operators or OPERATOR_NAMES), tuple(args.subtypes or SUBTYPES),
                                  args.depth, args.n, args.per_site, args.seed)
        result = negatives_for(args.caption, config, nlp=ctx.nlp())
    except ValueError as exc:
        raise ToolInputError(str(exc)) from exc
    full = args.detail == "full"
    cands = [m.CandidateOut(text=c["text"], operator=c["operator"], subtype=c["subtype"], depth=c["depth"],
                            change=_change(c["provenance"]), id=c["id"], provenance=c["provenance"] if full else None)
             for c in result["candidates"][: args.n]]
    skips = [f"{s['operator']}/{s['subtype']}: {s['reason']}" for s in result["skipped"]]
    return m.GenerateNegativesOutput(caption=result["caption"], candidates=cands,
                                     not_applied=skips if full else skips[:COMPACT_SKIPS], not_applied_total=len(skips))


def _plausibility_model(ctx: ToolContext, threshold_on: bool):
    """(model or None, description) from the stored captions' composition counts; never written when read-only."""
    if ctx.engine is None or not threshold_on:
        return None, "off: no database"
    from toolkit.evaluation.filters.counts import (
        PlausibilityModel,
        caption_source,
        iter_caption_parses,
        load_or_mine,
        mine_counts,
    )

    source = caption_source(ctx.engine)
    if not source["parsed_captions"]:
        return None, "off: no parsed captions stored to count compositions in"
    if ctx.read_only:
        counts = mine_counts(p for _, p in iter_caption_parses(ctx.engine))
        counts_id = "in-memory"
    else:
        counts_id, source, counts = load_or_mine(ctx.engine)
    return PlausibilityModel(counts), f"on: counts {counts_id} over {source['parsed_captions']} stored captions"


def filter_candidates(ctx: ToolContext, args: m.FilterCandidatesInput) -> m.FilterCandidatesOutput:
    """Judge negatives with the offline rules: grammar and agreement, validity (the meaning really changes; no
    synonym, hypernym or symmetric swap) and corpus plausibility. Give a caption with free candidate texts
    (nothing stored), or ids of stored candidates (verdicts stored, as `hardneg filter --rules`)."""
    from toolkit.evaluation.filters.rules import JUDGE, RULES_VERSION, RuleConfig

    config = RuleConfig(plausibility_threshold=args.plausibility_threshold)
    if args.candidate_ids is not None:
        return _filter_stored(ctx, args, config)
    from toolkit.evaluation.filters.rules import check_candidate
    from toolkit.text.lexicon import load_lexicon
    from toolkit.text.parse import parse_texts

    model, plaus = _plausibility_model(ctx, config.plausibility)
    nlp = ctx.nlp()
    texts = [args.caption, *(c.text for c in args.candidates)]
    caption, *parsed = list(parse_texts(texts, nlp=nlp))
    lex = load_lexicon()
    results, failed = [], []
    for k, (cand, parse) in enumerate(zip(args.candidates, parsed, strict=True)):
        try:
            prov = json.loads(cand.provenance) if cand.provenance else None
            if prov is not None and not isinstance(prov, dict):
                raise ValueError(f"a JSON {type(prov).__name__}, expected an object")
            res = check_candidate(args.caption, caption, cand.text, parse, prov, config, model, lex)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # a malformed provenance, as in run_rules
            failed.append(f"candidates[{k}].provenance: {exc}")
            continue
        results.append(_verdict(cand.text, None, res.passed, res.reasons(), res.score, args.detail))
    passed = sum(r.passed for r in results)
    return m.FilterCandidatesOutput(judge=JUDGE, rules_version=RULES_VERSION, plausibility=plaus, passed=passed,
                                    rejected=len(results) - passed, failed=failed, results=results)


def _verdict(text: str, cid: int | None, passed: bool, reasons: dict, score: float | None, detail: str) -> m.VerdictOut:
    fired = [f"{f['rule']}: {f['why']}" for f in reasons.get("fired", [])]
    details = {k: v for k, v in reasons.items() if k != "fired"} if detail == "full" else None
    return m.VerdictOut(text=text, candidate_id=cid, passed=bool(passed), fired=fired,
                        score=None if score is None else round(score, 4), details=details or None)


def _filter_stored(ctx: ToolContext, args: m.FilterCandidatesInput, config) -> m.FilterCandidatesOutput:
    from toolkit.evaluation.filters.rules import JUDGE, RULES_VERSION
    from toolkit.evaluation.filters.runner import run_rules
    from toolkit.evaluation.filters.select import Selection, iter_selected
    from toolkit.evaluation.filters.store import latest_verdicts
    from toolkit.store.queries import resolve_candidate_refs

    engine = ctx.writable("storing verdicts (filter_candidates with candidate_ids)")
    with engine.connect() as conn:
        found = resolve_candidate_refs(conn, args.candidate_ids)
        if missing := [r for r, rows in found.items() if not rows]:
            raise ToolInputError(f"candidate_ids: no stored candidate with id {', '.join(map(str, missing[:10]))}")
        ids = tuple(sorted({i for rows in found.values() for i in rows}))
        texts = {r["id"]: r["text"] for r in iter_selected(conn, Selection(ids=ids))}
    report = run_rules(engine, Selection(ids=ids), config, nlp=ctx.nlp())
    with engine.connect() as conn:
        verdicts = latest_verdicts(conn, JUDGE, ids)
    results = [_verdict(texts[i], i, v["passed"], v["reasons"], v["score"], args.detail)
               for i in ids if (v := verdicts.get(i)) is not None]
    failed = [f"candidate {i}: could not be judged (see verdict_failure)" for i in ids if i not in verdicts]
    counts = report.extra.get("counts", {})
    plaus = f"on: counts {counts.get('id')}" if config.plausibility else "off"
    passed = sum(r.passed for r in results)
    return m.FilterCandidatesOutput(judge=JUDGE, rules_version=RULES_VERSION, plausibility=plaus, passed=passed,
                                    rejected=len(results) - passed, failed=failed, results=results,
                                    filter_run_id=report.filter_run_id)


def score_candidates(ctx: ToolContext, args: m.ScoreCandidatesInput) -> m.ScoreCandidatesOutput:
    """Score negatives against an image with a CLIP model: for each negative, whether the model prefers the
    true caption (margin > 0) or is fooled by the negative. The image is a workspace file or a stored image id."""
    from toolkit.evaluation.scoring import Item, Negative

    if args.image is not None:
        path = confine(ctx.workspace, args.image, must_exist=True, field="image")
        if not path.is_file():
            raise ToolInputError(f"image: {args.image!r} is not a file")
        shown = str(path.relative_to(ctx.workspace))
    else:
        from toolkit.store.models import Image

        with ctx.db().connect() as conn:
            stored = conn.execute(select(Image.__table__.c.path).where(Image.__table__.c.id == args.image_id)
                                  ).scalar_one_or_none()
        if stored is None:
            raise ToolInputError(f"image_id: no stored image with id {args.image_id}")
        path, shown = Path(stored), stored
        if not path.is_absolute():  # stored as ingested; the workspace is where relative paths are read from
            path = ctx.workspace / path
    name, scorer = ctx.scorer(args.model)
    item = Item("query", str(path), args.caption, [Negative(k, t) for k, t in enumerate(args.texts)])
    outcome = scorer.score([item])
    full = args.detail == "full"
    results = [m.PairOut(text=args.texts[s.negative_key], margin=round(s.margin, 6), fooled=not s.correct,
                         pos_sim=round(s.pos_sim, 6) if full else None, neg_sim=round(s.neg_sim, 6) if full else None)
               for s in outcome.scores]
    return m.ScoreCandidatesOutput(model=name, model_id=scorer.model_id, image=shown, pairs=len(results),
                                   fooled=sum(r.fooled for r in results), results=results,
                                   errors=[str(e) for e in outcome.errors])


def list_sets(ctx: ToolContext, args: m.ListSetsInput) -> m.ListSetsOutput:
    """List the stored benchmark sets with their sizes."""
    from toolkit.curation.sets import list_sets as stored_sets

    full = args.detail == "full"
    return m.ListSetsOutput(sets=[m.SetOut(name=s["name"], items=s["items"], description=s["description"],
                                           created_at=s["created_at"], query=s["query"] if full else None)
                                  for s in stored_sets(ctx.db())])


def set_items(ctx: ToolContext, args: m.SetItemsInput) -> m.SetItemsOutput:
    """Page through a set's items in review order, with each item's outcome (undecided, accept, reject, edit,
    ignored, conflict); use the candidate_id with curate_candidate."""
    from toolkit.curation.decisions import set_outcomes

    with ctx.db().connect() as conn:
        try:
            _s, items, decs, outs = set_outcomes(conn, args.name)
        except ValueError as exc:
            raise ToolInputError(str(exc)) from exc
    chosen = [r for r in items if args.status == "any" or outs[r["item_hash"]].status == args.status]
    full = args.detail == "full"
    page = []
    for r in chosen[args.offset : args.offset + args.limit]:
        prov = json.loads(r["provenance"])
        page.append(m.SetItemOut(
            position=r["position"], candidate_id=r["candidate_id"], caption=r["caption"], negative=r["negative"],
            operator=r["operator"], subtype=r["subtype"], depth=r["depth"], status=outs[r["item_hash"]].status,
            change=_change(prov), image=r["image"], provenance=prov if full else None,
            decisions=decs.get(r["item_hash"], []) if full else None))
    return m.SetItemsOutput(name=args.name, matching=len(chosen), items=page)


def create_set(ctx: ToolContext, args: m.CreateSetInput) -> m.CreateSetOutput:
    """Select stored candidates into a new benchmark set (by operator, subtype, depth and filter verdict),
    optionally balanced against the blind text-only baselines and sampled evenly per operator with a seed."""
    from toolkit.curation.sets import Selection
    from toolkit.curation.sets import create_set as store_set

    engine = ctx.writable("creating a set")
    try:
        sel = Selection(operators=tuple(args.operators or ()), subtypes=tuple(args.subtypes or ()),
                        depths=tuple(args.depths or ()), verdict=args.verdict, order=args.order, sample=args.sample,
                        seed=args.seed, balance=args.balance)
        summary = store_set(engine, args.name, sel, args.description, nlp=ctx.nlp() if args.balance else None)
    except ValueError as exc:
        raise ToolInputError(str(exc)) from exc
    return m.CreateSetOutput(**summary.to_dict())


def curate_candidate(ctx: ToolContext, args: m.CurateCandidateInput) -> m.CurateCandidateOutput:
    """Record a decision on one item of a set: accept, reject, ignore, or edit (the corrected negative is stored
    as a new candidate with the original as parent). A later decision by the same annotator replaces it."""
    from toolkit.curation.decisions import SessionStore, annotator_marks, queue_items
    from toolkit.curation.session import EDIT, Session
    from toolkit.store.queries import resolve_candidate_refs

    engine = ctx.writable("recording a decision")
    annotator = (args.annotator or ctx.annotator).strip()
    try:
        store = SessionStore(engine, args.set_name, annotator)
        with engine.connect() as conn:
            queue = queue_items(conn, store.set["id"])
            rows = {i for ids in resolve_candidate_refs(conn, [args.candidate_id]).values() for i in ids}
        matches = [it for it in queue if it.candidate_id in rows]
        if not matches:
            raise ToolInputError(f"candidate_id: {args.candidate_id} is not an item of set {args.set_name!r}")
        if len(matches) > 1:  # one caption text stored with several images: the uid names each of them
            raise ToolInputError(f"candidate_id: {args.candidate_id} names {len(matches)} items of set "
                                 f"{args.set_name!r} (candidate_ids {', '.join(str(it.candidate_id) for it in matches)});"
                                 " give one of those")
        item = matches[0]
        # A one-item session applies the same checks as the terminal session (an edit must change the text...).
        one = Session([item])
        effect = one.edit(args.edited_text, args.reason) if args.decision == EDIT else one.decide(args.decision, args.reason)
        store.apply(effect)
        with engine.connect() as conn:
            progress = Session(queue_items(conn, store.set["id"]), annotator_marks(conn, annotator)).progress()
            edit_id = _edit_id(conn, annotator, item.item_hash)
    except ToolInputError:
        raise
    except ValueError as exc:
        raise ToolInputError(str(exc)) from exc
    return m.CurateCandidateOutput(set_name=args.set_name, candidate_id=item.candidate_id, decision=args.decision,
                                   annotator=annotator, item_hash=item.item_hash, edit_candidate_id=edit_id,
                                   progress=progress)


def _edit_id(conn, annotator: str, item_hash: str) -> int | None:
    from toolkit.store.curation import Decision

    d = Decision.__table__
    return conn.execute(select(d.c.edit_candidate_id).where(d.c.annotator == annotator, d.c.item_hash == item_hash)
                        ).scalar_one_or_none()


def export_set(ctx: ToolContext, args: m.ExportSetInput) -> m.ExportSetOutput:
    """Write a set in a benchmark format into a workspace folder, with a dataset card (README.md)."""
    from toolkit.curation.formats import export_set as write_set

    engine = ctx.writable("exporting a set")
    out = confine(ctx.workspace, args.path)
    check_export_target(ctx.workspace, out)
    try:
        report = write_set(engine, args.name, args.format, out, status=args.status, license=args.license)
    except ValueError as exc:
        raise ToolInputError(str(exc)) from exc
    return m.ExportSetOutput(name=report.name, format=report.format, path=str(out.relative_to(ctx.workspace)),
                             items=report.items, files=report.files, by_category=report.by_category)


def set_stats(ctx: ToolContext, args: m.SetStatsInput) -> m.SetStatsOutput:
    """Outcomes of a set's items, acceptance rate overall and per operator, decisions per annotator and
    Cohen's kappa between annotators."""
    from toolkit.curation.decisions import set_stats as stats_of

    try:
        d = stats_of(ctx.db(), args.name)
    except ValueError as exc:
        raise ToolInputError(str(exc)) from exc
    return m.SetStatsOutput(
        name=d["name"], items=d["items"], outcomes=d["outcomes"], acceptance_rate=d["acceptance_rate"],
        acceptance_by_operator={k: v["acceptance_rate"] for k, v in d["by_operator"].items()},
        annotators={a: c["decided"] for a, c in d["annotators"].items()}, kappa=d["agreement"],
        stats=d if args.detail == "full" else None)


# --------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class ToolSpec:
    name: str
    fn: Callable[[ToolContext, Any], BaseModel]
    input: type[BaseModel]
    output: type[BaseModel]
    writes: bool = False  # refused in read-only mode (filter_candidates only with candidate_ids)

    @property
    def description(self) -> str:
        return " ".join((self.fn.__doc__ or "").split())

    def run(self, ctx: ToolContext, arguments: dict | BaseModel) -> BaseModel:
        """Validate `arguments` and call the tool (pydantic's ValidationError is a ValueError)."""
        args = arguments if isinstance(arguments, self.input) else self.input.model_validate(arguments)
        return self.fn(ctx, args)


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec("generate_negatives", generate_negatives, m.GenerateNegativesInput, m.GenerateNegativesOutput),
    ToolSpec("filter_candidates", filter_candidates, m.FilterCandidatesInput, m.FilterCandidatesOutput),
    ToolSpec("score_candidates", score_candidates, m.ScoreCandidatesInput, m.ScoreCandidatesOutput),
    ToolSpec("list_sets", list_sets, m.ListSetsInput, m.ListSetsOutput),
    ToolSpec("set_items", set_items, m.SetItemsInput, m.SetItemsOutput),
    ToolSpec("create_set", create_set, m.CreateSetInput, m.CreateSetOutput, writes=True),
    ToolSpec("curate_candidate", curate_candidate, m.CurateCandidateInput, m.CurateCandidateOutput, writes=True),
    ToolSpec("export_set", export_set, m.ExportSetInput, m.ExportSetOutput, writes=True),
    ToolSpec("set_stats", set_stats, m.SetStatsInput, m.SetStatsOutput),
)
TOOLS_BY_NAME = {t.name: t for t in TOOLS}
