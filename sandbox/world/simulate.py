"""The event model: one person at a time, from first form fill to won deal.

Every business event is written twice: as vendor records (through the sorted writer) and as a
fact for the truth. The truth never reads the records back.
"""

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandbox.world import messy
from sandbox.world.fmt import (
    DAY,
    HOUR,
    add_months_ts,
    gong_datetime,
    local_date,
    marketo_datetime,
    parse_utc,
    sf_datetime,
    to_datetime,
)
from sandbox.world.org import FAMILY_NAMES, GIVEN_NAMES, Company, Org, Rep, salesforce_id
from sandbox.world.payloads import marketo_activity, sf_stamps
from sandbox.world.profile import Profile
from sandbox.world.rules import (
    HandoffFields,
    assess_handoff,
    budget_status,
    handoff_status,
    person_key,
)
from sandbox.world.truth import Activity, TruthBuilder
from sandbox.world.writer import ShardedSortedWriter

SOURCES = (
    ("Webinar", 0.25),
    ("展示会", 0.15),
    ("Web Form", 0.25),
    ("資料ダウンロード", 0.15),
    ("Paid Search", 0.12),
    ("Referral", 0.08),
)
REJECT_REASONS = (
    "Budget not confirmed",
    "予算未確定",
    "No decision maker",
    "決裁者不在",
    "Not a fit",
    "対象外",
    "Timing too far",
    "時期尚早",
)
LEAD_STATUS_FIELD_ID = 48
CONVERSION_FIELDS = (
    "ConvertedDate",
    "ConvertedAccountId",
    "ConvertedContactId",
    "ConvertedOpportunityId",
)

SF = "salesforce/{}.jsonl"


def sf_key(modstamp_ts: int, record_id: str) -> str:
    return f"{sf_datetime(modstamp_ts)}|{record_id}"


def num_key(ts: int, number: int) -> str:
    return f"{marketo_datetime(ts)}|{number:015d}"


@dataclass
class AccountState:
    company: Company
    owner_id: str
    created_ts: int
    modstamp_ts: int
    # new-business wins: (close_ts, amount, owner user id)
    wins: list[tuple[int, float, str]] = field(default_factory=list)


@dataclass
class Counters:
    numbers: dict[str, int] = field(default_factory=dict)

    def next(self, name: str) -> int:
        value = self.numbers.get(name, 0) + 1
        self.numbers[name] = value
        return value


@dataclass
class MeetingPlan:
    ts: int
    owner: Rep


class World:
    def __init__(
        self,
        seed: int,
        start_ts: int,
        as_of_ts: int,
        org: Org,
        companies: list[Company],
        writer: ShardedSortedWriter,
        truth: TruthBuilder,
        profile: Profile,
    ) -> None:
        self.profile = profile
        self.seed = seed
        self.start_ts = start_ts
        self.as_of_ts = as_of_ts
        self.org = org
        self.companies = companies
        self.writer = writer
        self.truth = truth
        self.ids = Counters()
        self.accounts: dict[int, AccountState] = {}
        self.account_meetings: dict[int, list[tuple[str, int]]] = defaultdict(list)
        self.handoffs: list[tuple[int, str, str, int, str, float, bool, bool]] = []
        self.gong_by_rep = {rep.user_id: rep for rep in org.reps}

    # -- ids -----------------------------------------------------------------------------
    def sf_id(self, prefix: str) -> str:
        return salesforce_id(prefix, self.ids.next(prefix))

    def marketo_activity_id(self) -> tuple[int, str]:
        number = self.ids.next("mkto_activity")
        return number, str(uuid.UUID(int=(self.seed << 64 | number) & ((1 << 128) - 1), version=4))

    def gong_call_id(self) -> str:
        return f"{7_000_000_000_000_000_000 + self.ids.next('gong_call') * 104_729}"

    # -- writers -------------------------------------------------------------------------
    def sf(self, obj: str, record: dict[str, Any], modstamp_ts: int) -> None:
        self.writer.write(
            SF.format(obj),
            sf_key(modstamp_ts, record["Id"]),
            record,
            counted=not record["IsDeleted"],
        )

    def mkto(
        self,
        lead_id: int,
        ts: int,
        type_id: int,
        primary: tuple[int | None, str | None],
        attributes: dict[str, Any],
        relpath: str = "marketo/activities.jsonl",
    ) -> None:
        number, guid = self.marketo_activity_id()
        record = marketo_activity(number, guid, lead_id, ts, type_id, *primary, attributes)
        self.writer.write(relpath, num_key(ts, number), record)

    # -- a person ------------------------------------------------------------------------
    def simulate_person(self, index: int) -> None:
        rng = random.Random(self.seed * 1_000_003 + index)
        company = self.companies[rng.randrange(len(self.companies))]
        family = FAMILY_NAMES[rng.randrange(len(FAMILY_NAMES))]
        given = GIVEN_NAMES[rng.randrange(len(GIVEN_NAMES))]
        local = f"{given[1]}.{family[1]}{index}".lower()
        email = f"{local}@{company.domain}"
        span = self.as_of_ts - self.start_ts - 2 * DAY
        created_ts = self.start_ts + int(span * rng.random() ** 0.8)
        source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
        kind = rng.random()
        if kind < 0.015:
            self._deleted_marketo_lead(rng, created_ts, email, family, given, company)
            return
        if kind < 0.025:
            self._deleted_salesforce_lead(rng, created_ts, email, family, given, company)
            return
        salesforce_only = kind < 0.08
        person = PersonRun(self, rng, index, company, family, given, email, created_ts, source)
        if salesforce_only:
            if rng.random() < 0.25:
                person.email = messy.invalid_email(rng, local, company.domain)
            person.run_salesforce_only()
        else:
            person.run_marketo_person()
        person.finish()

    def _deleted_marketo_lead(
        self, rng: random.Random, ts: int, email: str, family: tuple, given: tuple, company: Company
    ) -> None:
        lead_id = self.ids.next("mkto_lead")
        deleted_ts = min(ts + int(rng.uniform(1, 30) * DAY), self.as_of_ts - HOUR)
        self.mkto(
            lead_id,
            deleted_ts,
            37,
            (lead_id, f"{family[1]} {given[1]}"),
            {"Client IP Address": "203.0.113.7"},
            relpath="marketo/deleted_leads.jsonl",
        )

    def _deleted_salesforce_lead(
        self, rng: random.Random, ts: int, email: str, family: tuple, given: tuple, company: Company
    ) -> None:
        lead_id = self.sf_id("00Q")
        owner = self.org.pick(rng, "inside_sales", ts)
        deleted_ts = min(ts + int(rng.uniform(1, 30) * DAY), self.as_of_ts - HOUR)
        record = {
            "Id": lead_id,
            "FirstName": given[0],
            "LastName": family[0],
            "Name": f"{family[0]} {given[0]}",
            "Company": company.variants[0],
            "Email": email,
            "Phone": None,
            "Status": "Open - Not Contacted",
            "LeadSource": "Spam",
            "OwnerId": owner.user_id,
            "IsConverted": False,
            **sf_stamps(ts, deleted_ts),
        }
        for name in (*self.profile.handoff_fields.values(), *CONVERSION_FIELDS):
            record[name] = None  # every Lead has the org's custom fields
        record["IsDeleted"] = True
        self.sf("Lead", record, deleted_ts)

    # -- accounts, renewals, legacy customers (after all persons) -------------------------
    def account_for(self, company: Company, owner_id: str, ts: int) -> AccountState:
        state = self.accounts.get(company.index)
        if state is None:
            state = AccountState(company, owner_id, ts, ts)
            self.accounts[company.index] = state
        state.created_ts = min(state.created_ts, ts)
        state.modstamp_ts = max(state.modstamp_ts, ts)
        return state

    def legacy_customers(self, count: int) -> None:
        rng = random.Random(self.seed * 7_919 + 1)
        for _ in range(count):
            company = self.companies[rng.randrange(len(self.companies))]
            close_ts = self.start_ts - int(rng.uniform(30, 700) * DAY)
            owner = self.org.pick(rng, "field_sales", self.start_ts)
            created_ts = close_ts - int(rng.uniform(30, 90) * DAY)
            account = self.account_for(company, owner.user_id, created_ts - DAY)
            amount = float(rng.randrange(10, 300) * 100_000)
            stages = [(created_ts, "qualification", amount), (close_ts, "won", amount)]
            opp_type = self.profile.new_business_type
            self.opportunity(rng, account, owner, opp_type, stages, amount, None, None)
            account.wins.append((close_ts, amount, owner.user_id))

    def internal_noise(self) -> None:
        """Internal meetings (Gong scope Internal, Event Type Other): never activities."""
        rng = random.Random(self.seed * 104_729 + 3)
        for rep in self.org.reps:
            if rep.gong_user_id is None:
                continue
            ts = self.start_ts + int(rng.uniform(1, 20) * DAY)
            while ts < self.as_of_ts - DAY:
                if rep.works_as(ts) is not None:
                    self._internal_meeting(rng, rep, ts)
                ts += int(rng.uniform(20, 40) * DAY)

    def _internal_meeting(self, rng: random.Random, rep: Rep, ts: int) -> None:
        call_id = self.gong_call_id()
        record = {
            "metaData": {
                "id": call_id, "url": f"https://app.gong.io/call?id={call_id}",
                "title": "週次定例", "scheduled": gong_datetime(ts), "started": gong_datetime(ts),
                "duration": 1800, "primaryUserId": rep.gong_user_id,
                "direction": rng.choice(("Conference", "Unknown")), "system": "Zoom",
                "scope": "Internal", "media": "Video", "language": "jpn",
                "workspaceId": "5551234567890", "isPrivate": False,
            },
            "context": [],
            "parties": [
                {"id": f"{call_id}1", "emailAddress": rep.gong_email, "userId": rep.gong_user_id,
                 "name": f"{rep.family[0]} {rep.given[0]}", "affiliation": "Internal",
                 "methods": ["Invitee"], "context": []},
            ],
        }  # fmt: skip
        self.writer.write("gong/calls.jsonl", f"{marketo_datetime(ts)}|{call_id}", record)
        event_ts = ts + DAY
        event = {
            "Id": self.sf_id("00U"), "Subject": "社内MTG", "Type": "Other",
            "EventSubtype": "Event", "WhoId": None, "WhatId": None, "AccountId": None,
            "OwnerId": rep.user_id, "ActivityDate": local_date(event_ts),
            "ActivityDateTime": sf_datetime(event_ts), "StartDateTime": sf_datetime(event_ts),
            "EndDateTime": sf_datetime(event_ts + 1800), "DurationInMinutes": 30,
            "IsAllDayEvent": False, "IsPrivate": False, "ShowAs": "Busy", "Location": "会議室",
            "IsRecurrence": False, **sf_stamps(event_ts - DAY, event_ts - DAY),
        }  # fmt: skip
        self.sf("Event", event, event_ts - DAY)

    # -- what only some orgs do (profile switches; the default org draws nothing here) ------
    def colleagues(self) -> list[tuple[str, str]]:
        """(e-mail, name) of the org's people Gong does not know: users without a Gong user
        (marketing), and people on the group company's domain, which no user has."""
        people = [
            (rep.email, f"{rep.family[0]} {rep.given[0]}")
            for rep in self.org.reps
            if rep.gong_user_id is None
        ]
        if self.profile.group_domain:
            people += [
                (f"{given[1].lower()}.{family[1].lower()}@{self.profile.group_domain}",
                 f"{family[0]} {given[0]}")
                for family, given in zip(FAMILY_NAMES[:4], GIVEN_NAMES[:4], strict=True)
            ]  # fmt: skip
        return people

    def colleague_party(self, rng: random.Random, party_id: str) -> dict[str, Any]:
        """A colleague in a recorded meeting whom Gong marks External."""
        email, name = rng.choice(self.colleagues())
        return {
            "id": party_id, "emailAddress": email.upper() if rng.random() < 0.3 else email,
            "name": name, "title": None, "userId": None, "speakerId": party_id,
            "affiliation": "External", "phoneNumber": None, "methods": ["Invitee"],
            "context": [],
        }  # fmt: skip

    def internal_external_meetings(self) -> None:
        """Colleagues-only meetings that Gong scopes External because a colleague has no Gong
        user: recorded, but no customer meeting."""
        if not self.profile.internal_external_meetings:
            return
        rng = random.Random(self.seed * 104_729 + 11)
        for rep in self.org.reps:
            if rep.gong_user_id is None:
                continue
            ts = self.start_ts + int(rng.uniform(5, 40) * DAY)
            while ts < self.as_of_ts - DAY:
                if rep.works_as(ts) is not None:
                    call_id = self.gong_call_id()
                    record = {
                        "metaData": {
                            "id": call_id, "url": f"https://app.gong.io/call?id={call_id}",
                            "title": "営業戦略MTG", "scheduled": gong_datetime(ts),
                            "started": gong_datetime(ts), "duration": 2400,
                            "primaryUserId": rep.gong_user_id, "direction": "Conference",
                            "system": "Zoom", "scope": "External", "media": "Video",
                            "language": "jpn", "workspaceId": "5551234567890",
                            "isPrivate": False,
                        },
                        "context": [],
                        "parties": [
                            {"id": f"{call_id}1", "emailAddress": rep.gong_email,
                             "userId": rep.gong_user_id, "affiliation": "Internal",
                             "name": f"{rep.family[0]} {rep.given[0]}", "methods": ["Invitee"],
                             "context": []},
                            self.colleague_party(rng, f"{call_id}2"),
                        ],
                    }  # fmt: skip
                    self.writer.write(
                        "gong/calls.jsonl", f"{marketo_datetime(ts)}|{call_id}", record
                    )
                ts += int(rng.uniform(25, 50) * DAY)

    def internal_test_leads(self) -> None:
        """Leads the org's own people created (testing a form, a webinar sign-up): half synced
        to Salesforce, some scored to MQL. Known users and internal domains are no persons."""
        rng = random.Random(self.seed * 15_485_863 + 5)
        colleagues = self.colleagues()
        for number in range(self.profile.internal_test_leads):
            email, name = colleagues[number % len(colleagues)]
            if number % 3 == 2:
                email = f"test+{number}@{self.profile.user_domain}"
            created_ts = self.start_ts + int(rng.uniform(10, 500) * DAY)
            lead_id = self.ids.next("mkto_lead")
            self.mkto(
                lead_id, created_ts, 12, (lead_id, "New Lead"),
                {"Source Type": "Web form fillout", "Lead Source": "Web Form"},
            )  # fmt: skip
            status = "Nurture"
            if number % 2 == 0:
                status = "MQL"
                self.mkto(
                    lead_id, created_ts + HOUR, 13, (LEAD_STATUS_FIELD_ID, "Lead Status"),
                    {"New Value": "MQL", "Old Value": "New", "Reason": "Form test",
                     "Source": "Smart campaign"},
                )  # fmt: skip
            sf_lead_id = None
            if number % 2 == 0:
                sf_lead_id = self.sf_id("00Q")
                owner = self.org.pick(rng, "inside_sales", created_ts)
                lead = {
                    "Id": sf_lead_id, "FirstName": None, "LastName": name, "Name": name,
                    "Company": self.profile.company_name, "Email": email, "Phone": None,
                    "Status": "Open - Not Contacted", "LeadSource": "Web Form",
                    "OwnerId": owner.user_id, "IsConverted": False,
                    **dict.fromkeys((*self.profile.handoff_fields.values(), *CONVERSION_FIELDS)),
                    **sf_stamps(created_ts + 2 * HOUR, created_ts + 2 * HOUR),
                }  # fmt: skip
                self.sf("Lead", lead, created_ts + 2 * HOUR)
            record = {
                "id": lead_id, "email": email, "firstName": None, "lastName": name,
                "company": self.profile.company_name, "title": None, "leadSource": "Web Form",
                "leadStatus": status, "leadScore": 0, "createdAt": marketo_datetime(created_ts),
                "updatedAt": marketo_datetime(created_ts + 2 * HOUR), "sfdcLeadId": sf_lead_id,
                "sfdcContactId": None, "sfdcAccountId": None,
            }  # fmt: skip
            self.writer.write(
                "marketo/leads.jsonl", num_key(created_ts + 2 * HOUR, lead_id), record
            )

    def close_handoffs(self) -> None:
        """Handoff KPIs, once every meeting of every account is known."""
        for (
            company_index,
            sender,
            receiver,
            tossup_ts,
            status,
            completeness,
            qualified,
            won,
        ) in self.handoffs:
            first_meeting = min(
                (
                    ts
                    for owner, ts in self.account_meetings.get(company_index, ())
                    if owner == receiver and ts >= tossup_ts
                ),
                default=None,
            )
            self.truth.add_handoff(
                sender, receiver, tossup_ts, status, completeness, qualified, first_meeting, won
            )

    def close_accounts(self) -> None:
        """Renewals per won contract, then the Account records and company KPIs."""
        for company_index in sorted(self.accounts):
            account = self.accounts[company_index]
            rng = random.Random(self.seed * 31_337 + company_index)
            won_days: list[str] = []
            wins = sorted(account.wins, key=lambda win: (win[0], win[1]))
            for close_ts, amount, owner_id in wins:
                self.truth.add_won_opportunity(owner_id, local_date(close_ts), amount)
                won_days.append(local_date(close_ts))
                won_days.extend(self._renewals(rng, account, close_ts, amount))
            if wins:  # the first won deal is new business: renewals come a year after it
                self.truth.add_new_customer(wins[0][2], local_date(wins[0][0]))
            owner = self.gong_by_rep[account.owner_id]
            record = {
                "Id": account.company.account_id,
                "Name": account.company.name,
                "OwnerId": owner.user_id,
                "ParentId": None,
                "Type": "Customer" if won_days else "Prospect",
                "Industry": rng.choice(("Information Technology", "製造", "Retail", "金融")),
                "AccountSource": None,
                "AnnualRevenue": None,
                "NumberOfEmployees": rng.choice((30, 120, 450, 2000)),
                "BillingCountry": "Japan",
                "BillingCity": rng.choice(("東京都", "大阪府", "Fukuoka")),
                "Website": f"https://www.{account.company.domain}",
                "Rating": None,
                "MasterRecordId": None,
                "RecordTypeId": None,
                "LastActivityDate": None,
                **sf_stamps(account.created_ts, account.modstamp_ts),
            }
            self.sf("Account", record, account.modstamp_ts)

    def _renewals(
        self, rng: random.Random, account: AccountState, close_ts: int, amount: float
    ) -> list[str]:
        won_days = []
        previous_ts, previous_amount = close_ts, amount
        while True:
            due_ts = add_months_ts(previous_ts, 12)
            if due_ts > self.as_of_ts - HOUR:
                return won_days  # only renewals already decided: no open renewal is due
            created_ts = due_ts - int(rng.uniform(45, 75) * DAY)
            owner = self.org.pick(rng, "customer_success", max(created_ts, self.start_ts))
            won = rng.random() < 0.85
            new_amount = float(round(previous_amount * rng.uniform(0.9, 1.25), -3))
            stages = [
                (created_ts, "qualification", new_amount),
                (due_ts, "won" if won else "lost", new_amount),
            ]
            opp_type = self.profile.renewal_type
            self.opportunity(rng, account, owner, opp_type, stages, new_amount, None, None)
            account.modstamp_ts = max(account.modstamp_ts, due_ts)
            self.truth.add_renewal(owner.user_id, local_date(due_ts), won)
            if not won:
                return won_days
            self.truth.add_won_opportunity(owner.user_id, local_date(due_ts), new_amount)
            won_days.append(local_date(due_ts))
            previous_ts, previous_amount = due_ts, new_amount

    def opportunity(
        self,
        rng: random.Random,
        account: AccountState,
        owner: Rep,
        opp_type: str,
        stages: list[tuple[int, str, float]],
        amount: float,
        custom: dict[str, Any] | None,
        lead_source: str | None,
        opp_id: str | None = None,
    ) -> str:
        """Writes the Opportunity and its OpportunityHistory; stages (event-model codes of
        profile.StageDef) in time order."""
        opp_id = opp_id or self.sf_id("006")
        final_ts, final_code, _ = stages[-1]
        final_stage = self.profile.stage(final_code)
        closed = final_stage.is_closed
        expected_close = local_date(stages[0][0] + int(rng.uniform(30, 120) * DAY))
        close_date = local_date(final_ts) if closed else expected_close
        previous_amount: float | None = None
        previous_close: str | None = None
        for ts, code, stage_amount in self._with_quote_stage(stages):
            stage = self.profile.stage(code)
            row_close = local_date(ts) if stage.is_closed else expected_close
            history_id = self.sf_id("008")
            row = {
                "Id": history_id,
                "OpportunityId": opp_id,
                "StageName": stage.api_name,
                "Amount": stage_amount,
                "ExpectedRevenue": stage_amount * stage.probability / 100,
                "CloseDate": row_close,
                "Probability": stage.probability,
                "ForecastCategory": stage.forecast,
                "PrevAmount": previous_amount,
                "PrevCloseDate": previous_close,
                "CreatedById": owner.user_id,
                "CreatedDate": sf_datetime(ts),
                "SystemModstamp": sf_datetime(ts),
                "IsDeleted": False,
            }
            self.sf("OpportunityHistory", row, ts)
            previous_amount, previous_close = stage_amount, row_close
        modstamp = final_ts + (int(rng.uniform(1, 72) * HOUR) if rng.random() < 0.3 else 0)
        modstamp = min(modstamp, self.as_of_ts)
        record = {
            "Id": opp_id,
            "Name": f"{account.company.name} - {opp_type}",
            "AccountId": account.company.account_id,
            "OwnerId": owner.user_id,
            "StageName": final_stage.api_name,
            "Amount": amount,
            "CloseDate": close_date,
            "Probability": final_stage.probability,
            "ExpectedRevenue": amount * final_stage.probability / 100,
            "IsClosed": closed,
            "IsWon": final_stage.is_won,
            "ForecastCategory": final_stage.forecast,
            "ForecastCategoryName": final_stage.forecast,
            "Type": opp_type,
            "LeadSource": lead_source,
            "NextStep": None,
            "Description": None,
            "CampaignId": None,
            "RecordTypeId": None,
            "Pricebook2Id": None,
            "HasOpenActivity": False,
            "HasOverdueTask": False,
            "LastActivityDate": None,
            **(custom or {}),
            **sf_stamps(stages[0][0], modstamp),
        }
        self.sf("Opportunity", record, modstamp)
        account.modstamp_ts = max(account.modstamp_ts, final_ts)
        return opp_id

    def _with_quote_stage(
        self, stages: list[tuple[int, str, float]]
    ) -> list[tuple[int, str, float]]:
        """An org with a quote stage passes it halfway from proposal to negotiation (no random
        number drawn: the default org has no such stage and its files must not change)."""
        if "quote" not in self.profile.stage_by_code:
            return stages
        rows = []
        for index, (ts, code, amount) in enumerate(stages):
            rows.append((ts, code, amount))
            following = stages[index + 1] if index + 1 < len(stages) else None
            if code == "proposal" and following is not None and following[1] == "negotiation":
                rows.append(((ts + following[0]) // 2, "quote", amount))
        return rows


class PersonRun:
    """One person's history; collects the truth facts while writing records."""

    def __init__(
        self,
        world: World,
        rng: random.Random,
        index: int,
        company: Company,
        family: tuple[str, str],
        given: tuple[str, str],
        email: str,
        created_ts: int,
        source: str,
    ) -> None:
        self.w = world
        self.rng = rng
        self.index = index
        self.company = company
        self.family = family
        self.given = given
        self.email = email
        self.created_ts = created_ts
        self.source = source
        self.as_of = world.as_of_ts
        self.activities: list[Activity] = []
        self.extra_activities: list[Activity] = []  # without a person (Task WhoId null)
        self.creations: list[int] = []
        self.mql_ts: int | None = None
        self.marketo_source: str | None = None
        self.tossup_ts: int | None = None
        self.won = False
        self.marketo_lead_id: int | None = None
        self.sf_lead_id: str | None = None
        self.contact_id: str | None = None
        self.account: AccountState | None = None
        self.opp_id: str | None = None

    # -- Marketo -------------------------------------------------------------------------
    def run_marketo_person(self) -> None:
        rng, w = self.rng, self.w
        lead_id = w.ids.next("mkto_lead")
        self.marketo_lead_id = lead_id
        missing = w.profile.marketo_source_missing_share
        # Some orgs only set the source in the SFA (typed in by sales): none in Marketo.
        self.marketo_source = None if missing and rng.random() < missing else self.source
        self.creations.append(self.created_ts)
        t = self.created_ts
        w.mkto(
            lead_id,
            t,
            12,
            (lead_id, "New Lead"),
            {"Source Type": "Web form fillout"}
            | ({"Lead Source": self.marketo_source} if self.marketo_source else {}),
        )
        w.mkto(
            lead_id,
            t,
            2,
            (1000 + rng.randrange(20), "Contact Us"),
            {"Webpage ID": 2000 + rng.randrange(50), "Form Fields": "email,company,name"},
        )
        w.mkto(
            lead_id,
            t + 1,
            13,
            (LEAD_STATUS_FIELD_ID, "Lead Status"),
            {
                "New Value": "Nurture",
                "Old Value": "New",
                "Reason": "Form fill",
                "Source": "Smart campaign",
            },
        )
        score = 10
        updated = t + 1
        horizon = min(self.as_of - HOUR, t + int(rng.uniform(20, 200) * DAY))
        events = sorted(t + int(rng.random() * (horizon - t)) for _ in range(rng.randrange(1, 6)))
        for ts in events:
            w.mkto(
                lead_id,
                ts,
                1,
                (3000 + rng.randrange(40), "/pricing"),
                {
                    "Webpage URL": f"https://themodel-demo.example/p/{rng.randrange(40)}",
                    "Client IP Address": "198.51.100.24",
                },
            )
            updated = max(updated, ts)
        for _ in range(rng.randrange(0, 3)):
            ts = t + int(rng.random() * (horizon - t))
            mailing = 5000 + rng.randrange(30)
            w.mkto(lead_id, ts, 6, (mailing, "Newsletter"), {"Campaign Run ID": 1, "Step ID": 1})
            w.mkto(
                lead_id, ts + 30, 7, (mailing, "Newsletter"), {"Campaign Run ID": 1, "Step ID": 1}
            )
            if rng.random() < 0.5 and ts + HOUR < self.as_of:
                w.mkto(
                    lead_id,
                    ts + HOUR,
                    10,
                    (mailing, "Newsletter"),
                    {"Device": "Desktop", "Is Mobile Device": False},
                )
                if rng.random() < 0.4:
                    w.mkto(
                        lead_id,
                        ts + HOUR + 60,
                        11,
                        (mailing, "Newsletter"),
                        {"Link": "https://themodel-demo.example/webinar", "Device": "Desktop"},
                    )
                    score += 5
            updated = max(updated, ts + 30)
        if self.source == "Webinar":
            w.mkto(
                lead_id,
                t + 2,
                104,
                (7000 + rng.randrange(5), "ウェビナー: 営業DX入門"),
                {
                    "Old Status": "Registered",
                    "New Status": "Attended",
                    "Success": True,
                    "Reason": "",
                },
            )
        mql_candidate = t + int(rng.expovariate(1 / (12 * DAY))) + HOUR
        is_mql = rng.random() < 0.4 and mql_candidate < self.as_of - 2 * HOUR
        if is_mql:
            self.mql_ts = mql_candidate
            w.mkto(
                lead_id,
                mql_candidate - 60,
                22,
                (1, "Lead Score"),
                {
                    "Change Value": "+50",
                    "New Value": score + 50,
                    "Old Value": score,
                    "Reason": "Behaviour",
                },
            )
            score += 50
            w.mkto(
                lead_id,
                mql_candidate,
                13,
                (LEAD_STATUS_FIELD_ID, "Lead Status"),
                {
                    "New Value": "MQL",
                    "Old Value": "Nurture",
                    "Reason": "Score threshold",
                    "Source": "Smart campaign",
                },
            )
            updated = max(updated, mql_candidate)
        elif rng.random() < 0.3:
            # A score change that does not make an MQL and a status change to something else.
            ts = min(t + int(rng.uniform(1, 30) * DAY), self.as_of - HOUR)
            w.mkto(
                lead_id,
                ts,
                22,
                (1, "Lead Score"),
                {
                    "Change Value": "+5",
                    "New Value": score + 5,
                    "Old Value": score,
                    "Reason": "Visit",
                },
            )
            score += 5
            w.mkto(
                lead_id,
                ts + 1,
                13,
                (LEAD_STATUS_FIELD_ID, "Lead Status"),
                {
                    "New Value": "Nurture - Cold",
                    "Old Value": "Nurture",
                    "Reason": "Decay",
                    "Source": "Smart campaign",
                },
            )
            updated = max(updated, ts + 1)
        lead_status = "MQL" if is_mql else "Nurture"
        synced = is_mql or rng.random() < 0.1
        if synced:
            sync_ts = (self.mql_ts if is_mql else t + int(rng.uniform(1, 48) * HOUR)) + int(
                rng.uniform(60, 1800)
            )
            sync_ts = min(sync_ts, self.as_of - 60)
            self.salesforce_lead(sync_ts, worked=is_mql and rng.random() < 0.9)
        if self.tossup_ts is not None and self.handoff_status == "rejected":
            recycle_ts = self.verdict_ts + 600
            if recycle_ts < self.as_of:
                w.mkto(
                    lead_id,
                    recycle_ts,
                    13,
                    (LEAD_STATUS_FIELD_ID, "Lead Status"),
                    {
                        "New Value": "Recycled",
                        "Old Value": "MQL",
                        "Reason": "Rejected by sales",
                        "Source": "Salesforce",
                    },
                )
                lead_status = "Recycled"
                updated = max(updated, recycle_ts)
        elif self.tossup_ts is not None:
            lead_status = "SQL"
            updated = max(updated, self.tossup_ts + 300)
        updated = min(updated, self.as_of)
        record = {
            "id": lead_id,
            "email": messy.email_variant(rng, self.email),
            "firstName": self.given[1],
            "lastName": self.family[1],
            "company": rng.choice(self.company.variants),
            "title": rng.choice(("部長", "Manager", "担当", None)),
            "leadSource": self.marketo_source,
            "leadStatus": lead_status,
            "leadScore": score,
            "createdAt": marketo_datetime(t),
            "updatedAt": marketo_datetime(updated),
            "sfdcLeadId": self.sf_lead_id,
            "sfdcContactId": self.contact_id,
            "sfdcAccountId": self.account.company.account_id if self.account else None,
        }
        w.writer.write("marketo/leads.jsonl", num_key(updated, lead_id), record)

    # -- Salesforce ----------------------------------------------------------------------
    def run_salesforce_only(self) -> None:
        self.source = "展示会"  # business cards typed in at an event, never in Marketo
        self.salesforce_lead(self.created_ts, worked=self.rng.random() < 0.7)

    def salesforce_lead(self, created_ts: int, worked: bool) -> None:
        rng, w = self.rng, self.w
        self.creations.append(created_ts)
        lead_id = w.sf_id("00Q")
        self.sf_lead_id = lead_id
        team = "full_cycle" if rng.random() < w.profile.full_cycle_lead_share else "inside_sales"
        owner = w.org.pick(rng, team, created_ts)
        self.lead_owner_id = owner.user_id
        self.lead_email = messy.email_variant(rng, self.email)
        history: list[tuple[int, str, Any, Any]] = [(created_ts, "created", None, None)]
        status = "Open - Not Contacted"
        modstamp = created_ts
        handoff: dict[str, Any] = {}
        if worked:
            touches_end = self.work(owner, created_ts)
            if self.first_task_ts is not None:
                status = "Working - Contacted"
                history.append((self.first_task_ts, "Status", "Open - Not Contacted", status))
                modstamp = max(modstamp, self.first_task_ts)
            toss_p = 0.35
            if touches_end is not None and rng.random() < toss_p:
                tossup_ts = touches_end + int(rng.uniform(1, 48) * HOUR)
                if tossup_ts < self.as_of - HOUR:
                    handoff = self.handoff(owner, lead_id, tossup_ts)
                    status = "Closed - Converted"
                    history.append((tossup_ts, "leadConverted", None, None))
                    history.append((tossup_ts, "Status", "Working - Contacted", status))
                    modstamp = max(modstamp, handoff.pop("_modstamp"))
        if rng.random() < 0.2:
            modstamp = min(self.as_of, modstamp + int(rng.uniform(1, 200) * HOUR))
        record = {
            "Id": lead_id,
            "FirstName": self.given[0],
            "LastName": self.family[0],
            "Name": f"{self.family[0]} {self.given[0]}",
            "Company": rng.choice(self.company.variants),
            "Email": self.lead_email,
            "Phone": messy.phone(rng, 0.8),
            "Title": rng.choice(("部長", "課長", "Manager", None)),
            "Status": status,
            "LeadSource": self.source,
            "OwnerId": owner.user_id,
            "IsConverted": bool(handoff),
            "ConvertedDate": None,
            "ConvertedAccountId": None,
            "ConvertedContactId": None,
            "ConvertedOpportunityId": None,
            "Industry": None,
            "Rating": None,
            "MasterRecordId": None,
            "HasOptedOutOfEmail": False,
            "DoNotCall": False,
            **dict.fromkeys(w.profile.handoff_fields.values()),
            **sf_stamps(created_ts, modstamp),
        }
        record.update(handoff)
        w.sf("Lead", record, modstamp)
        for ts, field_name, old, new in history:
            row = {
                "Id": w.sf_id("017"),
                "LeadId": lead_id,
                "Field": field_name,
                "DataType": "Text" if field_name != "created" else None,
                "OldValue": old,
                "NewValue": new,
                "CreatedById": owner.user_id,
                "CreatedDate": sf_datetime(ts),
                "IsDeleted": False,
            }
            w.writer.write(SF.format("LeadHistory"), sf_key(ts, row["Id"]), row)

    first_task_ts: int | None = None
    lead_owner_id: str | None = None
    handoff_status: str = "pending"
    verdict_ts: int = 0
    lead_email: str = ""

    def work(self, owner: Rep, lead_created_ts: int) -> int | None:
        """Inside-sales calls and e-mails; returns the time of the last touch."""
        rng = self.rng
        t = lead_created_ts
        last = None
        for _ in range(rng.randrange(1, 9)):
            t += (
                int(rng.uniform(0.3, 4) * DAY)
                if last is not None
                else int(rng.uniform(0.1, 30) * HOUR)
            )
            if t >= self.as_of - HOUR:
                break
            rep = owner if rng.random() < 0.9 else self.w.org.pick(rng, "inside_sales", t)
            if rng.random() < 0.65:
                self.call(rep, t)
            else:
                self.email_task(rep, t)
            if rng.random() < 0.1:  # a follow-up to-do: a Task, but neither call nor e-mail
                todo = self.task(rep, t + 300, "Task", Status="Not Started", IsClosed=False)
                todo["Subject"] = "フォローアップ"
                self.w.sf("Task", todo, _modstamp(todo))
            last = t
        return last

    def task(self, rep: Rep, ts: int, subtype: str, **extra: Any) -> dict[str, Any]:
        rng = self.rng
        modstamp = ts + (int(rng.uniform(1, 48) * HOUR) if rng.random() < 0.15 else 0)
        modstamp = min(modstamp, self.as_of)
        record = {
            "Id": self.w.sf_id("00T"),
            "Subject": "架電" if subtype == "Call" else "Email: ご案内",
            "WhoId": self.contact_id or self.sf_lead_id,
            "WhatId": self.opp_id,
            "AccountId": self.account.company.account_id if self.account else None,
            "OwnerId": rep.user_id,
            "ActivityDate": local_date(ts),
            "Status": "Completed",
            "Priority": "Normal",
            "IsClosed": True,
            "IsHighPriority": False,
            "IsRecurrence": False,
            "IsArchived": False,
            "Type": subtype,
            "TaskSubtype": subtype,
            "CallType": None,
            "CallDurationInSeconds": None,
            "CallDisposition": None,
            "CallObject": None,
            "CompletedDateTime": sf_datetime(ts),
            **sf_stamps(ts, modstamp),
        }
        record.update(extra)
        if self.first_task_ts is None and record["WhoId"] is not None:
            self.first_task_ts = ts
        return record

    def call(self, rep: Rep, ts: int) -> None:
        rng, w = self.rng, self.w
        roll = rng.random()
        duration = (
            0 if roll < 0.45 else rng.randrange(5, 60) if roll < 0.6 else rng.randrange(60, 1500)
        )
        disposition = "不在" if duration == 0 else "接続"
        recording = rng.random()
        gong_id = None
        if recording >= 0.3:  # recorded in Gong (with or without a Task)
            gong_id = w.gong_call_id()
            self.gong_call(gong_id, rep, ts, duration, "Outbound")
        if recording < 0.85:
            if gong_id is not None and self.hand_logged(rng):
                self.hand_logged_call(rep, ts, duration, disposition)
                return
            no_person = recording < 0.3 and rng.random() < 0.05
            record = self.task(
                rep,
                ts,
                "Call",
                CallType="Outbound",
                CallDurationInSeconds=duration,
                CallDisposition=disposition,
                CallObject=gong_id,
            )
            if no_person:
                record["WhoId"] = None
            w.sf("Task", record, _modstamp(record))
            if rng.random() < 0.03:
                # Logged twice by mistake and deleted: queryAll shows it, nobody counts it.
                deleted_ts = min(_modstamp(record) + 120, self.as_of)
                dup = dict(record, Id=w.sf_id("00T"), CallObject=None, IsDeleted=True)
                dup.update(
                    LastModifiedDate=sf_datetime(deleted_ts), SystemModstamp=sf_datetime(deleted_ts)
                )
                w.sf("Task", dup, deleted_ts)
            if no_person:
                self.extra_activities.append(Activity("call", rep.user_id, ts, duration))
                return
        self.activities.append(Activity("call", rep.user_id, ts, duration))

    def hand_logged(self, rng: random.Random) -> bool:
        """Whether the rep logs a recorded call by hand, without the recording's id (a number
        is drawn only in orgs that do this: the default org's files must not change)."""
        share = self.w.profile.unlinked_call_log_share
        return share > 0 and rng.random() < share

    def hand_logged_call(self, rep: Rep, ts: int, duration: int, disposition: str) -> None:
        """A recorded call the rep also logged as a Task by hand: no CallObject, a start the rep
        typed (mostly within minutes of the recording's, sometimes much later) and a duration
        rounded up to whole minutes. Within the org's match window the two are one call with
        the recording's duration (contracts 5.4); outside it the contract counts two."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.8:
            offset = int(rng.uniform(-180, 300))  # within any sensible window
        elif roll < 0.9:
            offset = int(rng.uniform(660, 840))  # 11-14 min: inside 15, outside the default 10
        else:
            offset = int(rng.uniform(1500, 2400))  # 25-40 min: logged long after the call
        typed = None if rng.random() < 0.2 else -(-duration // 60) * 60
        record = self.task(
            rep,
            ts + offset,
            "Call",
            CallType="Outbound",
            CallDurationInSeconds=typed,
            CallDisposition=disposition,
            CallObject=None,
        )
        self.w.sf("Task", record, _modstamp(record))
        self.activities.append(Activity("call", rep.user_id, ts, duration))
        if abs(offset) > self.w.profile.call_match_window_seconds:
            self.activities.append(Activity("call", rep.user_id, ts + offset, typed))

    def email_task(self, rep: Rep, ts: int) -> None:
        subtype = "Email" if self.rng.random() < 0.93 else "ListEmail"
        record = self.task(rep, ts, subtype)
        self.w.sf("Task", record, _modstamp(record))
        if subtype == "Email":
            self.activities.append(Activity("email", rep.user_id, ts))

    def gong_call(
        self,
        call_id: str,
        rep: Rep,
        ts: int,
        duration: int,
        direction: str,
        with_account: bool = False,
    ) -> None:
        rng = self.rng
        party_email = messy.email_variant(rng, self.email)
        context = []
        if with_account and self.account is not None:
            objects = [
                {
                    "objectType": "Account",
                    "objectId": self.account.company.account_id,
                    "timing": "TimeOfCall",
                    "fields": [{"name": "Name", "value": self.account.company.name}],
                }
            ]
            if self.opp_id:
                objects.append(
                    {
                        "objectType": "Opportunity",
                        "objectId": self.opp_id,
                        "timing": "TimeOfCall",
                        "fields": [],
                    }
                )
            context = [{"system": "Salesforce", "objects": objects}]
        person_object = (
            {"objectType": "Contact", "objectId": self.contact_id}
            if self.contact_id
            else {"objectType": "Lead", "objectId": self.sf_lead_id}
        )
        record = {
            "metaData": {
                "id": call_id,
                "url": f"https://app.gong.io/call?id={call_id}",
                "title": "商談" if direction == "Conference" else "架電",
                "scheduled": gong_datetime(ts),
                "started": gong_datetime(ts),
                "duration": duration,
                "primaryUserId": rep.gong_user_id,
                "direction": direction,
                "system": "Zoom" if direction == "Conference" else "Dialpad",
                "scope": "External",
                "media": "Video" if direction == "Conference" else "Audio",
                "language": "jpn",
                "workspaceId": "5551234567890",
                "sdrDisposition": None,
                "clientUniqueId": None,
                "customData": None,
                "purpose": None,
                "meetingUrl": None,
                "calendarEventId": None,
                "isPrivate": False,
            },
            "context": context,
            "parties": [
                {
                    "id": f"{call_id}1",
                    "emailAddress": rep.gong_email,
                    "name": f"{rep.family[0]} {rep.given[0]}",
                    "title": rep.role_name,
                    "userId": rep.gong_user_id,
                    "speakerId": f"{call_id}1",
                    "affiliation": "Internal",
                    "phoneNumber": None,
                    "methods": ["Invitee"],
                    "context": [],
                },
                {
                    "id": f"{call_id}2",
                    "emailAddress": party_email,
                    "name": f"{self.family[0]} {self.given[0]}",
                    "title": None,
                    "userId": None,
                    "speakerId": f"{call_id}2",
                    "affiliation": "External",
                    "phoneNumber": None,
                    "methods": ["Attendee"],
                    "context": [
                        {
                            "system": "Salesforce",
                            "objects": [{**person_object, "timing": "Now", "fields": []}],
                        }
                    ],
                },
            ],
            "content": {"topics": [{"name": "課題", "duration": duration // 3}], "trackers": []},
            "interaction": {
                "speakers": [
                    {"id": f"{call_id}1", "userId": rep.gong_user_id, "talkTime": duration * 0.55}
                ]
            },
            "collaboration": {"publicComments": []},
        }
        if direction == "Conference" and self.colleague_joins(rng):
            # A colleague without a Gong user (or on a group company's domain): Gong marks
            # them External, and they are no person of the funnel.
            record["parties"].append(self.w.colleague_party(rng, f"{call_id}3"))
        started_utc = marketo_datetime(ts)
        self.w.writer.write("gong/calls.jsonl", f"{started_utc}|{call_id}", record)

    def colleague_joins(self, rng: random.Random) -> bool:
        share = self.w.profile.colleague_guest_share
        return share > 0 and rng.random() < share

    # -- handoff -------------------------------------------------------------------------
    def handoff(self, sender: Rep, lead_id: str, tossup_ts: int) -> dict[str, Any]:
        rng, w = self.rng, self.w
        self.tossup_ts = tossup_ts
        if sender.works_as(tossup_ts) == "full_cycle" or sender.team == "full_cycle":
            receiver = sender
        else:
            receiver = w.org.pick(rng, "field_sales", tossup_ts)
        account = w.account_for(self.company, receiver.user_id, tossup_ts)
        self.account = account
        contact_id = w.sf_id("003")
        self.contact_id = contact_id
        opp_id = w.sf_id("006")
        quality = rng.random()
        good = 0.55 + 0.4 * quality
        next_roll = rng.random()
        if next_roll < 0.8:
            day = tossup_ts - tossup_ts % DAY + int(rng.uniform(1, 6)) * DAY
            next_meeting_ts: int | None = day + int(rng.uniform(0, 9)) * HOUR  # 09:00-18:00 JST
        elif next_roll < 0.9:
            next_meeting_ts = None
        else:
            next_meeting_ts = tossup_ts - int(rng.uniform(1, 48) * HOUR)
        profile = w.profile
        budget_label = messy.pick_label(rng, profile.budget.good, profile.budget.other, good)
        budget = budget_status(budget_label, profile.budget.meaning)
        committed = budget in ("confirmed", "estimated")
        fields = HandoffFields(
            company_name=rng.choice(self.company.variants)
            if rng.random() < 0.95
            else rng.choice(("-", "不明", "")),
            contact_name=f"{self.family[0]} {self.given[0]}" if rng.random() < 0.96 else None,
            contact_email=self.lead_email,
            contact_phone=messy.phone(rng, 0.55 + 0.4 * quality),
            challenge=messy.challenge(rng, good),
            budget_status=budget_label,
            budget_amount=messy.budget_amount(rng, committed),
            authority=messy.pick_label(rng, profile.authority.good, profile.authority.other, good),
            timeframe=messy.timeframe(rng, tossup_ts, good),
            next_meeting_at=to_datetime(next_meeting_ts) if next_meeting_ts is not None else None,
        )
        assessment = assess_handoff(
            fields,
            to_datetime(tossup_ts),
            budget_meaning=profile.budget.meaning,
            authority_meaning=profile.authority.meaning,
        )
        # Verdict: sloppy handoffs are rejected more often.
        verdict_ts = tossup_ts + int(rng.uniform(1, 72) * HOUR)
        if verdict_ts >= self.as_of or rng.random() < 0.03:
            status_label, reason = None, None
        elif rng.random() < 0.08 + 0.08 * (3 - min(assessment.bant_score, 3)):
            status_label = rng.choice(profile.rejected_labels)
            reason = rng.choice(REJECT_REASONS)
        else:
            status_label, reason = rng.choice(profile.accepted_labels), None
        status = handoff_status(status_label, profile.status_meaning)
        self.handoff_status = status
        self.verdict_ts = verdict_ts
        custom_values = {
            "tossup_at": sf_datetime(tossup_ts),
            "sender_rep_id": sender.user_id,
            "challenge": fields.challenge,
            "budget_status": fields.budget_status,
            "budget_amount": fields.budget_amount,
            "authority": fields.authority,
            "timeframe": fields.timeframe,
            "next_meeting_at": sf_datetime(next_meeting_ts)
            if next_meeting_ts is not None
            else None,
            "handoff_status": status_label,
            "reject_reason": reason,
        }
        custom = {profile.custom_field(name): value for name, value in custom_values.items()}
        lead_fields = {
            **custom,
            "Company": fields.company_name,
            "Email": fields.contact_email,
            "Phone": fields.contact_phone,
            "IsConverted": True,
            "ConvertedDate": local_date(tossup_ts),
            "ConvertedAccountId": account.company.account_id,
            "ConvertedContactId": contact_id,
            "ConvertedOpportunityId": opp_id,
        }
        if fields.contact_name is None:
            lead_fields.update(FirstName=None, LastName=rng.choice(("不明", "-", "ー")))
            lead_fields["Name"] = lead_fields["LastName"]
        # Contact first: activities after the toss-up point at it.
        contact_modstamp = tossup_ts + (
            int(rng.uniform(1, 500) * HOUR) if rng.random() < 0.3 else 0
        )
        contact_modstamp = min(contact_modstamp, self.as_of)
        self.creations.append(tossup_ts)
        contact = {
            "Id": contact_id,
            "AccountId": account.company.account_id,
            "OwnerId": receiver.user_id,
            "FirstName": self.given[0],
            "LastName": self.family[0],
            "Name": f"{self.family[0]} {self.given[0]}",
            "Email": messy.email_variant(rng, self.email),
            "Title": None,
            "Department": None,
            "Phone": fields.contact_phone,
            "MobilePhone": None,
            "LeadSource": self.source,
            "ReportsToId": None,
            "MasterRecordId": None,
            "HasOptedOutOfEmail": False,
            "IsEmailBounced": False,
            "LastActivityDate": None,
            **sf_stamps(tossup_ts, contact_modstamp),
        }
        w.sf("Contact", contact, contact_modstamp)
        unit = "full_cycle" if sender.user_id == receiver.user_id else "division_of_labour"
        amount = float(rng.randrange(5, 200) * 100_000)
        stages: list[tuple[int, str, float]] = [(tossup_ts, "qualification", amount)]
        first_meeting: int | None = None
        proposal_ts: int | None = None
        modstamp = max(verdict_ts if status_label else tossup_ts, tossup_ts)
        if status == "rejected":
            stages.append((verdict_ts, "lost", amount))
        else:
            first_meeting = self.meetings(receiver, tossup_ts, next_meeting_ts, status)
            if status == "accepted":
                proposal_ts = self.progress(rng, stages, first_meeting, tossup_ts, amount)
        self.opp_id = opp_id
        final_ts, final_code, final_amount = stages[-1]
        modstamp = max(modstamp, final_ts)
        w.opportunity(
            rng,
            account,
            receiver,
            profile.new_business_type,
            stages,
            final_amount,
            custom,
            self.source,
            opp_id=opp_id,
        )
        won = final_code == "won"
        self.won = won
        if won:
            account.wins.append((final_ts, final_amount, receiver.user_id))
        if status == "accepted":
            closed = final_code in ("won", "lost")
            w.truth.add_accepted_opportunity(
                receiver.user_id,
                unit,
                tossup_ts,
                proposal_ts,
                local_date(final_ts) if closed else None,
                won,
                final_amount,
            )
        # The first meeting may be with another contact of the account: decided at the end.
        w.handoffs.append(
            (self.company.index, sender.user_id, receiver.user_id, tossup_ts, status,
             assessment.completeness, assessment.is_qualified, won)
        )  # fmt: skip
        lead_fields["_modstamp"] = modstamp if status_label else tossup_ts
        return lead_fields

    def progress(
        self,
        rng: random.Random,
        stages: list[tuple[int, str, float]],
        first_meeting: int | None,
        tossup_ts: int,
        amount: float,
    ) -> int | None:
        """Stage changes after acceptance; stops at as_of (the opportunity stays open)."""
        t = (first_meeting or tossup_ts + 3 * DAY) + int(rng.uniform(3, 20) * DAY)
        proposal_ts = None
        if rng.random() < 0.75:
            if t >= self.as_of:
                return None
            amount = float(round(amount * rng.uniform(0.8, 1.3), -3))
            stages.append((t, "proposal", amount))
            proposal_ts = t
            t += int(rng.uniform(5, 25) * DAY)
            if rng.random() < 0.7:
                if t >= self.as_of:
                    return proposal_ts
                stages.append((t, "negotiation", amount))
                t += int(rng.uniform(5, 30) * DAY)
                if t < self.as_of:
                    stages.append((t, "won" if rng.random() < 0.6 else "lost", amount))
                return proposal_ts
        t += int(rng.uniform(5, 30) * DAY)
        if t < self.as_of and rng.random() < 0.6:
            stages.append((t, "lost", amount))
        return proposal_ts

    def meetings(
        self, receiver: Rep, tossup_ts: int, next_meeting_ts: int | None, status: str
    ) -> int | None:
        """Meetings held by the receiver; returns the first at or after the toss-up."""
        rng = self.rng
        if receiver.team == "full_cycle" and rng.random() < 0.15:
            # A full-cycle rep met the prospect before the toss-up: not the first meeting.
            self.meeting(receiver, tossup_ts - int(rng.uniform(2, 72) * HOUR), before_account=True)
        if status != "accepted" and status != "pending":
            return None
        if rng.random() < 0.06:
            return None
        if next_meeting_ts is not None and next_meeting_ts > tossup_ts and rng.random() < 0.85:
            first = next_meeting_ts
        else:
            first = tossup_ts + int(rng.uniform(4, 240) * HOUR)
        if first >= self.as_of:
            return None
        self.meeting(receiver, first)
        t = first
        for _ in range(rng.randrange(0, 3)):
            t += int(rng.uniform(3, 20) * DAY)
            if t >= self.as_of:
                break
            self.meeting(receiver, t)
        return first

    def meeting(self, rep: Rep, ts: int, before_account: bool = False) -> None:
        rng, w = self.rng, self.w
        minutes = rng.choice((30, 45, 60, 90))
        if rng.random() < 0.5 and rep.gong_user_id:
            self.gong_call(
                w.gong_call_id(),
                rep,
                ts,
                minutes * 60 - rng.randrange(0, 300),
                "Conference",
                with_account=not before_account,
            )
        else:
            booked_after = (
                self.created_ts if before_account else (self.tossup_ts or self.created_ts)
            )
            created = min(max(ts - int(rng.uniform(1, 5) * DAY), booked_after), ts)
            modified = max(created, min(ts + minutes * 60, self.as_of))
            who = self.sf_lead_id if before_account else self.contact_id
            account_id = (
                None if before_account or self.account is None else self.account.company.account_id
            )
            record = {
                "Id": w.sf_id("00U"),
                "Subject": "商談" if rng.random() < 0.6 else "Meeting",
                "Type": "Meeting",
                "EventSubtype": "Event",
                "WhoId": who,
                "WhatId": None if before_account else self.opp_id,
                "AccountId": account_id,
                "OwnerId": rep.user_id,
                "ActivityDate": local_date(ts),
                "ActivityDateTime": sf_datetime(ts),
                "StartDateTime": sf_datetime(ts),
                "EndDateTime": sf_datetime(ts + minutes * 60),
                "DurationInMinutes": minutes,
                "IsAllDayEvent": False,
                "IsPrivate": False,
                "ShowAs": "Busy",
                "Location": rng.choice(("Zoom", "先方オフィス", "Teams")),
                "IsRecurrence": False,
                **sf_stamps(created, modified),
            }
            w.sf("Event", record, _modstamp(record))
        self.activities.append(Activity("meeting", rep.user_id, ts))
        if not before_account and self.account is not None:
            w.account_meetings[self.account.company.index].append((rep.user_id, ts))

    # -- the person's truth ----------------------------------------------------------------
    def finish(self) -> None:
        truth, team = self.w.truth, self.w.truth.rep_team
        key = person_key(self.email)
        self.activities.sort(key=lambda a: (a.start_ts, a.kind, a.owner_id))
        truth.add_person_activities(key, self.activities)
        truth.add_person_activities(None, self.extra_activities)
        first_touch = None
        if self.mql_ts is not None:
            for activity in self.activities:
                if (
                    activity.kind in ("call", "email")
                    and activity.start_ts >= self.mql_ts
                    and team[activity.owner_id] in ("inside_sales", "full_cycle")
                ):
                    first_touch = (activity.owner_id, activity.start_ts)
                    break
        sources = {
            "marketo": self.marketo_source,
            "salesforce": self.source if self.sf_lead_id is not None else None,
        }
        precedence = self.w.profile.lead_source_precedence
        truth.add_person(
            lead_created_ts=min(self.creations),
            source=next((sources[s] for s in precedence if sources[s] is not None), None),
            owner_id=self.lead_owner_id,
            mql_ts=self.mql_ts,
            first_touch=first_touch,
            tossed_up=self.tossup_ts is not None,
            won=self.won,
        )


def _modstamp(record: dict[str, Any]) -> int:
    """The record's SystemModstamp as epoch seconds (the sort key must match the field)."""
    return parse_utc(record["SystemModstamp"][:19] + "Z")
