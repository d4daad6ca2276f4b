"""Inputs and outputs of the agent tools, as pydantic models. The Field descriptions are what a model reads
when it decides how to call a tool, so they say what each argument means, its default and its bounds.

Every optional argument accepts null as "use the default", because OpenAI strict mode makes every property
required and sends null for the ones the model leaves open.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from toolkit.faces.agents.safety import LIMITS

Operator = Literal["swap", "replace", "add"]
Subtype = Literal["obj", "att", "rel"]
Detail = Literal["compact", "full"]
Format = Literal["sugarcrepe", "jsonl", "csv", "hf", "parquet", "negclip"]
Decision = Literal["accept", "reject", "ignore", "edit"]
ItemStatus = Literal["any", "undecided", "accept", "reject", "edit", "ignored", "conflict"]

DETAIL = Field("compact", description="'compact' (default) returns the essentials; 'full' adds provenance and "
                                      "every detail. Ask for 'full' only when you need it.")
CAPTION = Field(min_length=1, max_length=LIMITS.caption_chars,
                description=f"A caption: one sentence describing an image (at most {LIMITS.caption_chars} characters).")
SET_NAME = Field(min_length=1, max_length=200, description="Name of a stored benchmark set (see list_sets).")
# A stored candidate: its row id, or its 16-hex-digit content id (the `id` generate_negatives and `hardneg export`
# give; toolkit.store.queries.candidate_ref reads both).
CandidateRef = Annotated[int, Field(ge=1)] | Annotated[str, Field(pattern=r"^[0-9a-fA-F]{16}$")]


class ToolInput(BaseModel):
    """Unknown keys are refused; a null for an argument with a default means that default."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or _default_is_none(cls, k)}
        return data


def _default_is_none(cls: type[BaseModel], name: str) -> bool:
    field = cls.model_fields.get(name)
    return field is None or (not field.is_required() and field.default is None)


class ToolOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------------------- generate


class GenerateNegativesInput(ToolInput):
    caption: str = CAPTION
    operators: list[Operator] | None = Field(
        None, max_length=3, description="Edits to apply: 'swap' exchanges two objects/attributes/relation arguments, "
                                        "'replace' substitutes one word or phrase, 'add' inserts an object or attribute. "
                                        "Default: all three.")
    subtypes: list[Subtype] | None = Field(
        None, max_length=3, description="What the edit touches: 'obj' objects (nouns), 'att' attributes (adjectives, "
                                        "counts), 'rel' relations (verbs, prepositions). Default: all three.")
    depth: int = Field(1, ge=1, le=3, description="How many edits are composed at distinct places in one negative "
                                                  "(1 to 3; default 1).")
    n: int = Field(10, ge=1, le=LIMITS.candidates, description=f"Maximum number of negatives returned (1 to "
                                                               f"{LIMITS.candidates}; default 10).")
    per_site: int = Field(4, ge=1, le=20, description="Substitutes tried at each place (1 to 20; default 4).")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Selection seed; the same seed gives the same output. Default 0.")
    detail: Detail = DETAIL


class CandidateOut(ToolOutput):
    text: str = Field(description="The negative caption.")
    operator: str = Field(description="swap, replace or add ('+'-joined when composed).")
    subtype: str = Field(description="obj, att or rel ('+'-joined when composed).")
    depth: int
    change: str = Field(description="What changed, e.g. 'black<->white'.")
    id: str = Field(description="Content id of the candidate (stable for the same caption and text).")
    provenance: dict[str, Any] | None = Field(None, description="Edits with token spans, words out/in and "
                                                                "realisation fixes (detail='full' only).")


class GenerateNegativesOutput(ToolOutput):
    caption: str
    candidates: list[CandidateOut]
    not_applied: list[str] = Field(description="Why some operator/subtype produced nothing ('operator/subtype: "
                                               "reason'); the first 5 unless detail='full'.")
    not_applied_total: int


# ----------------------------------------------------------------------------------------- filter


class FreeCandidate(ToolInput):
    text: str = Field(min_length=1, max_length=LIMITS.caption_chars, description="A candidate negative caption.")
    provenance: str | None = Field(None, max_length=20_000,
                                   description="The candidate's provenance as a JSON string (from generate_negatives "
                                               "with detail='full'); enables the validity rules (synonym, hypernym, "
                                               "symmetric-relation and identical-word checks). Null: grammar, "
                                               "identity and plausibility checks only.")


class FilterCandidatesInput(ToolInput):
    caption: str | None = Field(None, min_length=1, max_length=LIMITS.caption_chars,
                                description="The original caption, when judging free texts given in 'candidates'.")
    candidates: list[FreeCandidate] | None = Field(
        None, min_length=1, max_length=LIMITS.texts,
        description=f"Negatives of 'caption' to judge (at most {LIMITS.texts}); nothing is stored.")
    candidate_ids: list[CandidateRef] | None = Field(
        None, min_length=1, max_length=LIMITS.ids,
        description=f"Instead of caption+candidates: stored candidates (at most {LIMITS.ids}), each by its integer "
                    "id (set_items' candidate_id) or its 16-hex-digit content id (generate_negatives' id); their "
                    "verdicts are stored, as `hardneg filter --rules --ids` does.")
    plausibility_threshold: float = Field(-3.0, ge=-50, le=50,
                                          description="Log ratio below which a new attribute-object or "
                                                      "subject-relation-object composition counts as implausible "
                                                      "(default -3.0).")
    detail: Detail = DETAIL

    @model_validator(mode="after")
    def _one_mode(self) -> FilterCandidatesInput:
        free = self.caption is not None or self.candidates is not None
        if free == (self.candidate_ids is not None):
            raise ValueError("give either caption and candidates, or candidate_ids")
        if free and (self.caption is None or self.candidates is None):
            raise ValueError("free texts need both caption and candidates")
        return self


class VerdictOut(ToolOutput):
    text: str
    candidate_id: int | None = Field(None, description="The stored candidate's id (candidate_ids mode).")
    passed: bool = Field(description="True when no rule fired.")
    fired: list[str] = Field(description="Rules that fired, as 'rule: why'.")
    score: float | None = Field(None, description="Plausibility of the weakest new composition (natural-log ratio; "
                                                  "0 when nothing new).")
    details: dict[str, Any] | None = Field(None, description="Plausibility details (detail='full' only).")


class FilterCandidatesOutput(ToolOutput):
    judge: str
    rules_version: str
    plausibility: str = Field(description="Whether corpus plausibility was checked, and against which counts.")
    passed: int
    rejected: int
    failed: list[str] = Field(default_factory=list, description="Candidates that could not be judged, and why.")
    results: list[VerdictOut]
    filter_run_id: str | None = None


# ----------------------------------------------------------------------------------------- score


class ScoreCandidatesInput(ToolInput):
    image: str | None = Field(None, min_length=1, max_length=1000,
                              description="Image file, relative to the workspace (or absolute inside it).")
    image_id: int | None = Field(None, ge=1, description="Instead of 'image': id of a stored image.")
    caption: str = Field(min_length=1, max_length=LIMITS.caption_chars,
                         description="The true caption of the image (the positive).")
    texts: list[str] = Field(min_length=1, max_length=LIMITS.texts,
                             description=f"Negative captions to compare with the positive (at most {LIMITS.texts}).")
    model: str | None = Field(None, max_length=200,
                              description="Name of a configured scoring model (see the error listing them); "
                                          "default: the first configured one.")
    detail: Detail = DETAIL

    @model_validator(mode="after")
    def _one_image(self) -> ScoreCandidatesInput:
        if (self.image is None) == (self.image_id is None):
            raise ValueError("give exactly one of image or image_id")
        for k, t in enumerate(self.texts):
            if not t.strip() or len(t) > LIMITS.caption_chars:
                raise ValueError(f"texts[{k}]: empty or longer than {LIMITS.caption_chars} characters")
        return self


class PairOut(ToolOutput):
    text: str
    margin: float = Field(description="Similarity to the positive minus similarity to this negative.")
    fooled: bool = Field(description="True when the model does not prefer the positive (margin <= 0): a hard negative.")
    pos_sim: float | None = Field(None, description="Cosine similarity image-positive (detail='full' only).")
    neg_sim: float | None = Field(None, description="Cosine similarity image-negative (detail='full' only).")


class ScoreCandidatesOutput(ToolOutput):
    model: str
    model_id: str
    image: str
    pairs: int
    fooled: int
    results: list[PairOut]
    errors: list[str] = Field(default_factory=list)


# ----------------------------------------------------------------------------------------- sets


class ListSetsInput(ToolInput):
    detail: Detail = DETAIL


class SetOut(ToolOutput):
    name: str
    items: int
    description: str
    created_at: str
    query: dict[str, Any] | None = Field(None, description="How the set was built (detail='full' only).")


class ListSetsOutput(ToolOutput):
    sets: list[SetOut]


class SetItemsInput(ToolInput):
    name: str = SET_NAME
    status: ItemStatus = Field("any", description="Only items with this outcome: undecided, accept, reject, edit, "
                                                  "ignored, conflict; 'any' (default) for all.")
    offset: int = Field(0, ge=0, description="Skip this many matching items (paging; default 0).")
    limit: int = Field(20, ge=1, le=LIMITS.page, description=f"Items returned (1 to {LIMITS.page}; default 20).")
    detail: Detail = DETAIL


class SetItemOut(ToolOutput):
    position: int
    candidate_id: int
    caption: str
    negative: str
    operator: str
    subtype: str
    depth: int
    status: str = Field(description="Outcome across annotators: undecided, accept, reject, edit, ignored, conflict.")
    change: str
    image: str | None = None
    provenance: dict[str, Any] | None = Field(None, description="detail='full' only.")
    decisions: list[dict[str, Any]] | None = Field(None, description="Every annotator's decision (detail='full' only).")


class SetItemsOutput(ToolOutput):
    name: str
    matching: int = Field(description="Items with the requested status.")
    items: list[SetItemOut]


class CreateSetInput(ToolInput):
    name: str = Field(min_length=1, max_length=200, description="Name of the new set (must not exist yet).")
    operators: list[Operator] | None = Field(None, max_length=3, description="Only candidates of these operators "
                                                                             "(default: any).")
    subtypes: list[Subtype] | None = Field(None, max_length=3, description="Only these subtypes (default: any).")
    depths: list[int] | None = Field(None, max_length=5, description="Only these composition depths (default: any).")
    verdict: Literal["any", "passed", "failed"] = Field("any", description="'passed': every filter verdict passed; "
                                                                           "'failed': some failed; 'any' (default).")
    order: Literal["random", "hardest"] = Field("random", description="Review order: seeded shuffle (default) or "
                                                                      "hardest first (smallest score margin; needs scores).")
    sample: int | None = Field(None, ge=1, le=100_000, description="Total items, split evenly over operators "
                                                                   "(default: every matching candidate).")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Sampling seed (default 0).")
    balance: bool = Field(False, description="Before sampling, subsample each category until every blind text-only "
                                             "baseline (length, language model, plausibility, n-gram adversary) is "
                                             "near chance; categories that cannot be balanced (plain ADD, whose "
                                             "negatives are longer) are dropped. Default false.")
    description: str = Field("", max_length=2000, description="Free text stored with the set.")


class CreateSetOutput(ToolOutput):
    name: str
    items: int
    matched: int
    duplicates: int
    by_stratum: dict[str, int]
    balance: dict[str, Any] | None = Field(None, description="With balance: settings and, per category, the blind "
                                                             "baselines before and after, candidates kept, dropped "
                                                             "categories and telling n-grams.")


class CurateCandidateInput(ToolInput):
    set_name: str = SET_NAME
    candidate_id: CandidateRef = Field(description="The item's candidate_id (an integer, see set_items), or its "
                                                   "16-hex-digit content id.")
    decision: Decision = Field(description="'accept' (a good negative), 'reject' (not a valid negative), 'ignore' "
                                           "(abstain), or 'edit' (replace the negative by 'edited_text').")
    reason: str = Field("", max_length=1000, description="Why; stored with the decision.")
    edited_text: str | None = Field(None, max_length=LIMITS.caption_chars,
                                    description="The corrected negative; required for 'edit', refused otherwise.")
    annotator: str | None = Field(None, min_length=1, max_length=120,
                                  description="Who decides (default: the server's annotator name).")

    @model_validator(mode="after")
    def _edit_text(self) -> CurateCandidateInput:
        if (self.decision == "edit") != (self.edited_text is not None):
            raise ValueError("edited_text is required for decision 'edit' and only for it")
        return self


class CurateCandidateOutput(ToolOutput):
    set_name: str
    candidate_id: int
    decision: str
    annotator: str
    item_hash: str
    edit_candidate_id: int | None = Field(None, description="Id of the stored edited candidate (edits only).")
    progress: str = Field(description="The annotator's progress on the set.")


class ExportSetInput(ToolInput):
    name: str = SET_NAME
    format: Format = Field(description="sugarcrepe (folder of category JSON files), jsonl (full provenance), csv, hf "
                                       "(datasets save_to_disk), parquet, negclip (training TSV).")
    path: str = Field(min_length=1, max_length=1000,
                      description="Folder to write, relative to the workspace; replaced if it holds an earlier export.")
    status: Literal["kept", "all"] = Field("kept", description="'kept' (default): accepted and edited items; 'all': "
                                                              "every item, its outcome as label.")
    license: str = Field("unknown", max_length=100, description="Licence written to the dataset card.")


class ExportSetOutput(ToolOutput):
    name: str
    format: str
    path: str = Field(description="The folder written, relative to the workspace.")
    items: int
    files: list[str]
    by_category: dict[str, int]


class SetStatsInput(ToolInput):
    name: str = SET_NAME
    detail: Detail = DETAIL


class SetStatsOutput(ToolOutput):
    name: str
    items: int
    outcomes: dict[str, int]
    acceptance_rate: float | None
    acceptance_by_operator: dict[str, float | None]
    annotators: dict[str, int] = Field(description="Decisions per annotator.")
    kappa: list[dict[str, Any]] = Field(description="Cohen's kappa per annotator pair.")
    stats: dict[str, Any] | None = Field(None, description="Everything `hardneg set stats --json` prints "
                                                           "(detail='full' only).")
