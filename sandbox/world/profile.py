"""Company profiles: how one simulated org names things and what its people do differently.

The event model (simulate.py) is the same for every profile; a profile decides the org's own
names (roles, stages, picklist labels, custom fields, opportunity types, e-mail domain) and
switches on behaviours that real orgs show and our default company does not (hand-logged
calls, colleagues marked External in the recording tool, internal test leads, lead sources
only in the SFA). The default profile switches every one off and draws no extra random
numbers, so its files stay byte-identical to the generator before profiles existed.

The labels' meanings here are the org's truth (what its people mean by them); the pipeline
learns them only from the seeds and vars a customer writes (docs/configure.md).
"""

from dataclasses import dataclass, field

from sandbox.world import messy
from sandbox.world.rules import AUTHORITY_LABELS, BUDGET_LABELS, HANDOFF_STATUS_LABELS


@dataclass(frozen=True)
class StageDef:
    """One OpportunityStage value. `code` is its meaning in the event model:
    qualification, proposal, quote (between proposal and negotiation), negotiation, won, lost."""

    code: str
    api_name: str
    sort_order: int
    probability: int
    forecast: str  # ForecastCategory (API value)
    forecast_name: str  # ForecastCategoryName (label)
    is_active: bool = True
    label: str | None = None  # MasterLabel when an admin relabelled the value (else api_name)

    @property
    def is_closed(self) -> bool:
        return self.code in ("won", "lost")

    @property
    def is_won(self) -> bool:
        return self.code == "won"


@dataclass(frozen=True)
class Labels:
    """Picklist labels the org's people pick (good = BANT-positive) and what they mean."""

    good: tuple[str | None, ...]
    other: tuple[str | None, ...]
    meaning: dict[str, str]


@dataclass(frozen=True)
class Profile:
    name: str
    company_name: str  # User.CompanyName
    user_domain: str  # the domain of the org's users' e-mail addresses
    role_teams: dict[str, str]  # UserRole.Name -> team (the truth of rep_team_mapping)
    stages: tuple[StageDef, ...]
    # canonical handoff field -> the org's API name on Lead and Opportunity
    handoff_fields: dict[str, str]
    budget: Labels
    authority: Labels
    accepted_labels: tuple[str, ...]
    rejected_labels: tuple[str, ...]
    status_meaning: dict[str, str]
    new_business_type: str = "New Business"
    renewal_type: str = "Renewal"
    # Behaviours of real orgs (0 / None = off, and no random number drawn for them)
    unlinked_call_log_share: float = 0.0  # recorded calls also hand-logged as a Task, no link
    colleague_guest_share: float = 0.0  # customer meetings a colleague joins, marked External
    internal_external_meetings: bool = False  # colleagues-only meetings Gong scopes External
    internal_test_leads: int = 0  # Marketo leads the org's own people created (form tests)
    marketo_source_missing_share: float = 0.0  # Marketo leads without leadSource
    group_domain: str | None = None  # an internal domain no user has (group company, aliases)
    # The org's reporting conventions (what the truth computes with; the overlay's vars)
    week_start: int = 0  # 0 = Monday ... 6 = Sunday
    call_match_window_seconds: int = 600
    lead_source_precedence: tuple[str, ...] = ("marketo", "salesforce")
    # The org's tools and team shape (the defaults keep the default org's draws unchanged)
    crm: str = "salesforce"  # "hubspot": HubSpot is the MA and the CRM, no Marketo/Gong
    full_cycle_lead_share: float = 0.15  # leads a full-cycle rep owns rather than IS
    # team -> (leads per rep, minimum reps); None keeps org.py's sizing
    team_sizing: dict[str, tuple[int, int]] | None = None
    stage_by_code: dict[str, StageDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stage_by_code", {s.code: s for s in self.stages if s.is_active})

    def stage(self, code: str) -> StageDef:
        return self.stage_by_code[code]

    def custom_field(self, canonical: str) -> str:
        return self.handoff_fields[canonical]


DEFAULT_HANDOFF_FIELDS = {
    "tossup_at": "Tossup_Date__c",
    "sender_rep_id": "Inside_Sales_Rep__c",
    "challenge": "Challenge__c",
    "budget_status": "Budget_Status__c",
    "budget_amount": "Budget_Amount__c",
    "authority": "Authority__c",
    "timeframe": "Timeframe__c",
    "next_meeting_at": "Next_Meeting__c",
    "handoff_status": "Handoff_Status__c",
    "reject_reason": "Handoff_Reject_Reason__c",
}

DEFAULT = Profile(
    name="default",
    company_name="THE MODEL Demo",
    user_domain="themodel-demo.example",
    role_teams={
        "Marketing": "marketing",
        "マーケティング": "marketing",
        "Inside Sales": "inside_sales",
        "インサイドセールス": "inside_sales",
        "Field Sales - East": "field_sales",
        "Field Sales - West": "field_sales",
        "フィールドセールス": "field_sales",
        "Customer Success": "customer_success",
        "カスタマーサクセス": "customer_success",
        "Full Cycle": "full_cycle",
        "一気通貫営業": "full_cycle",
    },
    stages=(
        StageDef("qualification", "Qualification", 1, 20, "Pipeline", "Pipeline"),
        StageDef("proposal", "Proposal", 2, 50, "Pipeline", "Pipeline"),
        StageDef("negotiation", "Negotiation", 3, 75, "BestCase", "Best Case"),
        StageDef("won", "Closed Won", 4, 100, "Closed", "Closed"),
        StageDef("lost", "Closed Lost", 5, 0, "Omitted", "Omitted"),
    ),
    handoff_fields=DEFAULT_HANDOFF_FIELDS,
    budget=Labels(messy.BUDGET_GOOD, messy.BUDGET_OTHER, BUDGET_LABELS),
    authority=Labels(messy.AUTHORITY_GOOD, messy.AUTHORITY_OTHER, AUTHORITY_LABELS),
    accepted_labels=("Accepted", "承認", "Accepted "),
    rejected_labels=("Rejected", "差し戻し"),
    status_meaning=HANDOFF_STATUS_LABELS,
)

# A Japanese org configured the way many are: Japanese stage names with an extra quote stage,
# its own role names, renamed custom fields, labels of its own, opportunity types in Japanese,
# and the habits that made a new customer's KPIs wrong (issue 18).
CUSTOM_JP = Profile(
    name="custom-jp",
    company_name="株式会社ザ・モデル",
    user_domain="themodel-jp.example",
    role_teams={
        "マーケティング部": "marketing",
        "IS部": "inside_sales",
        "FS部 第一営業課": "field_sales",
        "FS部 第二営業課": "field_sales",
        "CS部": "customer_success",
        "SMB営業部": "full_cycle",
    },
    stages=(
        # a retired stage: still in the metadata, inactive, never used
        StageDef("retired", "見込み", 1, 10, "Pipeline", "パイプライン", is_active=False),
        StageDef("qualification", "ヒアリング", 2, 10, "Pipeline", "パイプライン"),
        StageDef("proposal", "提案", 3, 40, "Pipeline", "パイプライン"),
        StageDef("quote", "見積提示", 4, 60, "BestCase", "最善達成予測"),
        StageDef("negotiation", "最終交渉", 5, 80, "Forecast", "達成予測", label="最終交渉・稟議"),
        StageDef("won", "受注", 6, 100, "Closed", "完了"),
        StageDef("lost", "失注", 7, 0, "Omitted", "売上予測から除外"),
    ),
    handoff_fields={
        **DEFAULT_HANDOFF_FIELDS,
        "tossup_at": "IS_Handoff_Date__c",
        "challenge": "Kadai__c",
        "budget_status": "Yosan__c",
        "authority": "Kessai_Level__c",
        "timeframe": "Donyu_Jiki__c",
        "handoff_status": "IS_Handoff_Result__c",
    },
    budget=Labels(
        good=("予算確保済み", "予算あり", "予算取り中", "見込み", "概算"),
        other=("未定", "未確認", "予算なし", "不明", "要相談", "", None),
        meaning={
            "予算確保済み": "confirmed",
            "予算あり": "confirmed",
            "予算取り中": "estimated",  # this org's own label: the overlay maps it
            "見込み": "estimated",
            "概算": "estimated",
            "未定": "unknown",
            "未確認": "unknown",
            "予算なし": "none",
            "不明": "unknown",
            # 要相談 ("to be discussed") means nothing canonical: it stays unmapped
        },
    ),
    authority=Labels(
        good=("決裁者", "決裁権者", "キーマン", "担当者", "利用者"),
        other=("未定", "未確認", "不明", "", None),
        meaning={
            "決裁者": "decision_maker",
            "決裁権者": "decision_maker",  # the overlay maps it
            "キーマン": "influencer",
            "担当者": "user",
            "利用者": "user",
            "未定": "unknown",
            "未確認": "unknown",
            "不明": "unknown",
        },
    ),
    accepted_labels=("受入", "商談化"),
    rejected_labels=("差戻し", "対象外"),
    status_meaning={
        "受入": "accepted",
        "商談化": "accepted",  # the overlay maps it
        "差戻し": "rejected",
        "対象外": "rejected",  # the overlay maps it
    },
    new_business_type="新規",
    renewal_type="更新",
    unlinked_call_log_share=0.6,
    colleague_guest_share=0.2,
    internal_external_meetings=True,
    internal_test_leads=12,
    marketo_source_missing_share=0.3,
    group_domain="themodel-group.example",
    week_start=6,  # Sunday
    call_match_window_seconds=900,
)

# A small Japanese team on HubSpot alone (Marketing Hub + Sales Hub): mostly full-cycle reps,
# a little division of labour (two IS reps tossing up to two FS reps), Japanese team names and
# deal stages whose ids are the portal's own numbers, so won/lost can only come from the
# pipeline's stage metadata. `api_name` is the HubSpot stage id, `label` its label.
HUBSPOT_SMB = Profile(
    name="hubspot-smb",
    company_name="株式会社スモールモデル",
    user_domain="smallmodel.example",
    role_teams={
        "マーケティング": "marketing",
        "インサイドセールス": "inside_sales",
        "フィールドセールス": "field_sales",
        "カスタマーサクセス": "customer_success",
        "フルサイクル営業": "full_cycle",
    },
    stages=(
        StageDef("qualification", "118204411", 0, 20, "Pipeline", "Pipeline", label="ヒアリング"),
        StageDef("proposal", "118204412", 1, 40, "Pipeline", "Pipeline", label="提案"),
        StageDef("quote", "118204413", 2, 60, "BestCase", "BestCase", label="見積提示"),
        StageDef("negotiation", "118204414", 3, 80, "Forecast", "Forecast", label="最終交渉"),
        StageDef("won", "118204415", 4, 100, "Closed", "Closed", label="受注"),
        StageDef("lost", "118204416", 5, 0, "Omitted", "Omitted", label="失注"),
    ),
    handoff_fields={
        **DEFAULT_HANDOFF_FIELDS,
        "challenge": "challenge",
        "budget_status": "budget_status",
        "budget_amount": "budget_amount",
        "authority": "authority",
        "timeframe": "timeframe",
        "next_meeting_at": "next_meeting_at",
        "handoff_status": "handoff_status",
        "reject_reason": "handoff_reject_reason",
    },
    budget=Labels(messy.BUDGET_GOOD, messy.BUDGET_OTHER, BUDGET_LABELS),
    authority=Labels(messy.AUTHORITY_GOOD, messy.AUTHORITY_OTHER, AUTHORITY_LABELS),
    accepted_labels=("Accepted", "承認"),
    rejected_labels=("Rejected", "差し戻し"),
    status_meaning=HANDOFF_STATUS_LABELS,
    new_business_type="newbusiness",
    renewal_type="existingbusiness",
    internal_test_leads=6,
    crm="hubspot",
    full_cycle_lead_share=0.65,
    team_sizing={
        "marketing": (40_000, 1),
        "inside_sales": (4_000, 3),
        "field_sales": (6_000, 2),
        "customer_success": (10_000, 1),
        "full_cycle": (1_500, 4),
    },
)

PROFILES = {profile.name: profile for profile in (DEFAULT, CUSTOM_JP, HUBSPOT_SMB)}


def get_profile(name: str) -> Profile:
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; known: {sorted(PROFILES)}")
    return PROFILES[name]
