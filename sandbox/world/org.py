"""The simulated company: roles, reps (Salesforce and Gong users) and prospect companies."""

import random
from dataclasses import dataclass, field

from sandbox.world.fmt import DAY
from sandbox.world.profile import Profile

FORCED_FATES = {"inside_sales": 0.0, "field_sales": 0.2}  # 0.0 leaves, 0.2 changed role
TEAMS = ("marketing", "inside_sales", "field_sales", "customer_success", "full_cycle")

FAMILY_NAMES = (
    ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"),
    ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"),
    ("小林", "Kobayashi"), ("加藤", "Kato"), ("吉田", "Yoshida"), ("山田", "Yamada"),
    ("佐々木", "Sasaki"), ("山口", "Yamaguchi"), ("松本", "Matsumoto"), ("井上", "Inoue"),
)  # fmt: skip
GIVEN_NAMES = (
    ("太郎", "Taro"), ("花子", "Hanako"), ("翔", "Sho"), ("陽菜", "Hina"), ("健", "Ken"),
    ("美咲", "Misaki"), ("大輔", "Daisuke"), ("結衣", "Yui"), ("拓也", "Takuya"),
    ("さくら", "Sakura"), ("John", "John"), ("Emily", "Emily"), ("David", "David"),
)  # fmt: skip
COMPANY_STEMS = (
    "サンプル", "ミライ", "テクノス", "アオゾラ", "ひかり", "ネクスト", "グローバル", "さくら",
    "フジ", "データ", "クラウド", "ヤマト", "ユニバース", "スマイル", "アルファ", "ミドリ",
)  # fmt: skip
COMPANY_KINDS = ("システムズ", "商事", "工業", "ソリューションズ", "物流", "製作所", "")
ENGLISH_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark")
ENGLISH_KINDS = ("Systems", "Holdings", "Labs", "Trading", "Networks")


@dataclass
class Rep:
    user_id: str
    role_id: str
    role_name: str
    team: str  # current team (as of extraction)
    family: tuple[str, str]
    given: tuple[str, str]
    email: str
    gong_user_id: str | None
    gong_email: str | None
    hired_ts: int
    left_ts: int | None  # IsActive false after this moment
    # (from_ts, team it works as) in time order; the last one is the current team.
    behaviour: list[tuple[int, str]] = field(default_factory=list)

    def works_as(self, ts: int) -> str | None:
        if ts < self.hired_ts or (self.left_ts is not None and ts >= self.left_ts):
            return None
        current = None
        for from_ts, team in self.behaviour:
            if ts >= from_ts:
                current = team
        return current


@dataclass(frozen=True)
class Role:
    role_id: str
    name: str
    team: str


@dataclass(frozen=True)
class Company:
    index: int
    account_id: str
    name: str  # canonical (the Account Name)
    variants: tuple[str, ...]  # how people type it on forms and Leads
    domain: str


def salesforce_id(prefix: str, number: int) -> str:
    """18-character, deterministic Salesforce-like id."""
    return f"{prefix}5g{number:010d}AAC"


def _team_size(team: str, leads: int, profile: Profile) -> int:
    if profile.team_sizing is not None:
        leads_per_rep, least = profile.team_sizing[team]
        return max(least, round(leads / leads_per_rep))
    per_rep = {
        "marketing": 20_000,
        "inside_sales": 1_500,
        "field_sales": 3_000,
        "customer_success": 8_000,
        "full_cycle": 8_000,
    }[team]
    minimum = {"inside_sales": 4, "field_sales": 3}.get(team, 2)
    return max(minimum, round(leads / per_rep))


@dataclass
class Org:
    roles: list[Role]
    reps: list[Rep]
    start_ts: int
    as_of_ts: int
    _buckets: dict[tuple[str, int], list[Rep]] = field(default_factory=dict)

    @property
    def rep_team(self) -> dict[str, str]:
        return {rep.user_id: rep.team for rep in self.reps}

    def pick(self, rng: random.Random, team: str, ts: int) -> Rep:
        """A rep working as `team` for the whole week around ts (falls back to any such rep)."""
        week = (ts - self.start_ts) // (7 * DAY)
        key = (team, week)
        bucket = self._buckets.get(key)
        if bucket is None:
            week_start = self.start_ts + week * 7 * DAY
            bucket = [
                r
                for r in self.reps
                if r.works_as(week_start) == team and r.works_as(week_start + 7 * DAY - 1) == team
            ]
            if not bucket:
                bucket = [r for r in self.reps if r.behaviour[-1][1] == team and r.left_ts is None]
            self._buckets[key] = bucket
        return bucket[int(rng.random() * len(bucket))]


def build_org(
    rng: random.Random, leads: int, start_ts: int, as_of_ts: int, profile: Profile
) -> Org:
    roles: list[Role] = []
    for number, (name, team) in enumerate(profile.role_teams.items(), start=1):
        roles.append(Role(salesforce_id("00E", number), name, team))
    roles_by_team = {team: [r for r in roles if r.team == team] for team in TEAMS}
    reps: list[Rep] = []
    span = as_of_ts - start_ts
    for team in TEAMS:
        for index in range(_team_size(team, leads, profile)):
            number = len(reps) + 1
            role = roles_by_team[team][index % len(roles_by_team[team])]
            family = FAMILY_NAMES[rng.randrange(len(FAMILY_NAMES))]
            given = GIVEN_NAMES[rng.randrange(len(GIVEN_NAMES))]
            email = f"{given[1].lower()}.{family[1].lower()}{number}@{profile.user_domain}"
            hired = start_ts - int((30 + rng.random() * 700) * DAY)
            left = None
            behaviour = [(hired, team)]
            # The first two reps of a team are stable so every team always has someone.
            fate = rng.random() if index >= 2 else 1.0
            if index == 2 and team in FORCED_FATES:  # every world has a leaver and a mover
                fate = FORCED_FATES[team]
            if fate < 0.15:
                left = start_ts + int(span * (0.3 + 0.5 * rng.random()))
            elif fate < 0.3 and team in ("inside_sales", "field_sales"):
                # Changed role: worked as the previous team, only the current role is visible.
                previous = "inside_sales" if team == "field_sales" else "field_sales"
                behaviour = [
                    (hired, previous),
                    (start_ts + int(span * (0.3 + 0.4 * rng.random())), team),
                ]
            elif fate < 0.45:
                hired = start_ts + int(span * 0.5 * rng.random())
                behaviour = [(hired, team)]
            if team == "marketing":
                gong_id, gong_email = None, None
            else:
                gong_id = f"{2_300_000_000_000_000_000 + number * 7919}"
                # Gong keeps the address as the admin typed it: casing differs sometimes.
                gong_email = email.upper() if rng.random() < 0.3 else email
            reps.append(
                Rep(
                    salesforce_id("005", number), role.role_id, role.name, team,
                    family, given, email, gong_id, gong_email, hired, left, behaviour,
                )
            )  # fmt: skip
    return Org(roles, reps, start_ts, as_of_ts)


def _japanese_variants(stem: str, kind: str) -> tuple[str, tuple[str, ...]]:
    base = f"{stem}{kind}"
    canonical = f"株式会社{base}"
    half_width = base.translate(_HALF_WIDTH_KANA)
    variants = (canonical, f"(株){base}", f"（株）{base}", f"㈱{base}", f"株式会社 {base}",
                f"株式会社{half_width}", f" {canonical} ", f"{base}")  # fmt: skip
    return canonical, variants


def _english_variants(stem: str, kind: str) -> tuple[str, tuple[str, ...]]:
    canonical = f"{stem} {kind} Inc."
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in canonical)
    variants = (canonical, canonical.upper(), f"{stem} {kind}, Inc.", f"{stem} {kind}", wide)
    return canonical, variants


# Full-width katakana -> half-width forms for a few common letters (NFKC reverses this).
_HALF_WIDTH_KANA = str.maketrans(
    {"サ": "ｻ", "ン": "ﾝ", "プ": "ﾌﾟ", "ル": "ﾙ", "ミ": "ﾐ", "ラ": "ﾗ", "イ": "ｲ", "テ": "ﾃ",
     "ク": "ｸ", "ノ": "ﾉ", "ス": "ｽ", "デ": "ﾃﾞ", "タ": "ﾀ", "ド": "ﾄﾞ", "ア": "ｱ", "ム": "ﾑ"}
)  # fmt: skip


def build_companies(rng: random.Random, count: int) -> list[Company]:
    companies = []
    for index in range(count):
        if rng.random() < 0.8:
            stem = COMPANY_STEMS[index % len(COMPANY_STEMS)]
            kind = COMPANY_KINDS[(index // len(COMPANY_STEMS)) % len(COMPANY_KINDS)]
            suffix = "" if index < len(COMPANY_STEMS) * len(COMPANY_KINDS) else f"{index}"
            name, variants = _japanese_variants(stem + suffix, kind)
        else:
            stem = ENGLISH_COMPANIES[index % len(ENGLISH_COMPANIES)]
            kind = ENGLISH_KINDS[(index // len(ENGLISH_COMPANIES)) % len(ENGLISH_KINDS)]
            name, variants = _english_variants(f"{stem}{index}", kind)
        tld = ".co.jp" if rng.random() < 0.7 else ".com"
        domain = f"corp{index}{tld}"
        companies.append(Company(index, salesforce_id("001", index + 1), name, variants, domain))
    return companies
