"""The validated, typed view of a scheme file (see docs/engine.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

INPUT_KINDS = ("items", "score", "grade", "votes", "rater")
FREQUENCIES = ("per_event", "once_per_month", "once_per_cycle", "per_unit")
VETO_EFFECTS = ("force_grade", "zero", "no_rating", "no_redeem", "handle")


@dataclass(frozen=True)
class Band:
    """One row of a grade or star table; ``label`` None means "no grade"."""

    label: object
    min: Decimal | None
    below: Decimal | None


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    category: str
    component: str
    points: Decimal | None
    min: Decimal | None
    max: Decimal | None
    frequency: str
    kinds: tuple[str, ...]
    automatic: bool = False
    withheld_by_veto: bool = False
    earn_ratings: tuple[str, ...] | None = None
    unrated_warning: str | None = None
    subject_categories: tuple[str, ...] | None = None  # None: subjects of every category

    @property
    def is_range(self) -> bool:
        return self.points is None

    def granted_to(self, subject) -> bool:
        """An automatic item (e.g. a 基础分) is given to subjects of its kinds and categories."""
        return subject.kind in self.kinds and (
            self.subject_categories is None or subject.category in self.subject_categories)


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    combine: str  # "sum" or "max" (同类别不重复加分)


@dataclass(frozen=True)
class Cap:
    target: str  # "item:x", "category:x" or "component:x"
    period: str  # "quarter" or "cycle"
    sign: str  # "positive" or "negative"
    limit: Decimal
    name: str
    subject_categories: tuple[str, ...] | None = None  # None: every subject

    def binds(self, category: str | None) -> bool:
        return self.subject_categories is None or category in self.subject_categories

    @property
    def level(self) -> str:
        return self.target.split(":", 1)[0]

    @property
    def ref(self) -> str:
        return self.target.split(":", 1)[1]


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    input: str
    periods: tuple[str, ...]
    aggregate: str
    base: Decimal
    floor: Decimal | None
    ceiling: Decimal | None
    min: Decimal | None
    max: Decimal | None
    max_by_category: dict[str, Decimal]
    grades: dict[str, Decimal]
    levels: dict[str, Decimal]
    raters: dict[str, Decimal]
    categories: tuple[str, ...] | None
    missing_warning: str | None
    dimension: bool
    # An entered grade that is not points (input "grade"): "grade" makes it the result's grade,
    # "flag" raises the flag that ``flag_names`` maps it to. Its value adds nothing to the total.
    sets: str | None = None
    flag_names: dict[str, str] = field(default_factory=dict)
    level_aliases: dict[str, str] = field(default_factory=dict)  # a ballot level counted as another
    # entered per period: warn for each period of the cycle left without a row (e.g. missing_quarter)
    missing_period_warning: str | None = None
    # a period that ends before the subject's approved_on is left out of the mean
    skip_before_approval: bool = False

    def max_for(self, category: str | None) -> Decimal | None:
        return self.max_by_category.get(category, self.max)

    def applies_to(self, category: str | None) -> bool:
        return self.categories is None or category in self.categories


@dataclass(frozen=True)
class EnteredInput:
    """What the appraisal page must collect for one entered component."""

    id: str
    name: str
    kind: str
    periods: list[str]
    min: Decimal | None
    max: Decimal | None
    grades: list[str]
    vote_levels: list[str]
    raters: list[str]
    categories: list[str] | None


@dataclass(frozen=True)
class Veto:
    code: str
    name: str
    effect: str
    grade: str | None


@dataclass(frozen=True)
class Quota:
    grade: str | None
    stars: int | None
    percent: Decimal
    minimum: int
    name: str


@dataclass(frozen=True)
class Streak:
    name: str
    cycles: int
    when: dict
    flag: str


@dataclass(frozen=True)
class FlagRule:
    name: str
    when: dict
    per_period: bool = False  # raised per period held (e.g. 明星党员:Q2)
    in_periods: bool = False  # also applies in a graded period (SCHEMES.md "Period results")


@dataclass(frozen=True)
class BranchWarning:
    code: str
    message: str
    when: dict
    min_share: Decimal | None
    max_share: Decimal | None
    min_subjects: int


@dataclass(frozen=True)
class Indicator:
    """One counted indicator of a minimum-count rule (e.g. 组织生活: the org_life events)."""

    name: str
    items: tuple[str, ...]
    unit: str


@dataclass(frozen=True)
class Requirement:
    """A requirement without a count: any breach event deducts once, for the categories it binds."""

    name: str
    item: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Minimums:
    """Minimum counts per subject category, computed from the events (see core/engine/minimums.py)."""

    component: str
    deduction: Decimal  # per indicator not met, and per requirement breached (negative)
    indicators: dict[str, Indicator]
    by_category: dict[str, dict[str, int]]
    requirements: tuple[Requirement, ...]


# The steps after 支部初评, in this order (DESIGN.md "Workflow"; issue 12 "The review chain").
WORKFLOW_STEPS = ("committee", "publicity", "township", "filing")
# The bodies a seed names for the committee step (支委会研究 / 党员大会通报 / 村积分评定小组 …).
COMMITTEE_BODIES = ("支委会", "党员大会", "积分评定小组", "村民代表会议", "考评小组")


@dataclass(frozen=True)
class Workflow:
    """``[workflow]``: which review steps a scheme's results go through after 支部初评. A file
    without the table gets these defaults (支委会, then 公示, 乡镇党委审核 of the cycle, 备案)."""

    steps: tuple[str, ...] = WORKFLOW_STEPS
    committee: str = "支委会"
    township_periods: tuple[str, ...] = ("cycle",)  # periods whose results go up (上级党委审核)
    review_interval_days: int | None = None  # 一月一审核: records pending longer are overdue

    def has(self, step: str) -> bool:
        return step in self.steps

    def needs_township(self, period: str) -> bool:
        return "township" in self.steps and period in self.township_periods


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    version: str
    source: dict
    decisions: list[str]
    cycle_start: str
    subject_kinds: list[str]
    subject_categories: list[str] | None
    cumulative: bool
    components: dict[str, Component]
    categories: dict[str, Category]
    items: dict[str, Item]
    caps: tuple[Cap, ...]
    total_enabled: bool
    total_weights: dict[str, Decimal]
    total_by_category: dict[str, dict[str, Decimal]]
    total_floor: Decimal | None
    total_ceiling: Decimal | None
    grade_basis: str
    grade_bands: tuple[Band, ...]
    star_basis: str | None
    star_bands: tuple[Band, ...]
    star_threshold: Decimal | None
    star_limits: tuple[dict, ...]
    quotas: tuple[Quota, ...]
    rank_keys: tuple[str, ...]
    vetoes: dict[str, Veto]
    streaks: tuple[Streak, ...]
    flag_rules: tuple[FlagRule, ...]
    branch_warnings: tuple[BranchWarning, ...]
    fraud_factor: Decimal | None
    supermarket: dict | None
    publicity_min_days: int
    objection_working_days: int
    category_required: bool  # False: a subject without a category is scored by the default rules
    minimums: Minimums | None
    graded_periods: tuple[str, ...]  # periods that get the rating (grade or stars); always "cycle"
    publish_periods: tuple[str, ...]  # periods whose results the seed publishes (公示/公布)
    path: str
    raw: dict = field(repr=False)
    # 自我申报: a subject may declare the scheme's bonus items itself, for review (DESIGN.md:
    # optional, per scheme; on where the seed has members or households report their own deeds)
    self_declare: bool = False
    # what a township may tune and within which bounds (core/scheme/editable.py; {}: nothing)
    editable: dict = field(default_factory=dict)
    workflow: Workflow = field(default_factory=Workflow)

    @property
    def grade_names(self) -> list[str]:
        names = [band.label for band in self.grade_bands if band.label is not None]
        for comp in self.components.values():
            if comp.sets == "grade":  # the branch enters the grade itself
                names += [g for g in comp.grades if g not in names]
        return names

    @property
    def dimensions(self) -> list[Component]:
        return [c for c in self.components.values() if c.dimension]

    def entered_components(self) -> list[EnteredInput]:
        """One entry per entered component; a component whose maximum differs
        by subject category yields one entry per category group."""
        out: list[EnteredInput] = []
        for comp in self.components.values():
            if comp.input == "items":
                continue
            groups: list[tuple[Decimal | None, list[str] | None]] = []
            if comp.max_by_category:
                by_max: dict[Decimal, list[str]] = {}
                for category, limit in comp.max_by_category.items():
                    by_max.setdefault(limit, []).append(category)
                groups = [(limit, cats) for limit, cats in by_max.items()]
            else:
                cats = list(comp.categories) if comp.categories is not None else None
                groups = [(comp.max, cats)]
            for limit, cats in groups:
                out.append(
                    EnteredInput(
                        id=comp.id,
                        name=comp.name,
                        kind=comp.input,
                        periods=list(comp.periods),
                        min=comp.min,
                        max=limit,
                        grades=list(comp.grades),
                        vote_levels=list(comp.levels),
                        raters=list(comp.raters),
                        categories=cats,
                    )
                )
        return out
