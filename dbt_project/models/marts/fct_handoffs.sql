-- One row per handoff (toss-up; contracts 5.2, 5.3, 6): who sent it to whom, the canonical
-- fields after mapping and cleaning with one validity flag each, completeness, BANT, the
-- verdict, the first meeting and the SLA, and whether the opportunity was won.
with handoffs as (
    select * from {{ ref('int_handoffs_validated') }}
),

opportunities as (
    select * from {{ ref('int_opportunities') }} where not is_deleted
),

reps as (
    select rep_id, rep_name, team from {{ ref('int_reps') }}
),

lead_persons as (
    -- the handed-off Salesforce Lead or HubSpot contact
    select record_id as lead_id, person_key
    from {{ ref('int_person_records') }}
    where record_type in ('salesforce_lead', 'hubspot_contact')
),

meetings as (
    select activity_id, owner_rep_id, started_at, account_id
    from {{ ref('int_activities') }}
    where activity_type = 'meeting' and is_counted
),

base as (
    select
        handoffs.*,
        lead_persons.person_key,
        -- the opportunity's owner; a HubSpot contact without a deal: its owner after SQL
        coalesce(opportunities.owner_id, handoffs.owner_after_tossup_rep_id) as receiver_rep_id,
        opportunities.is_won as opportunity_is_won
    from handoffs
    left join lead_persons on handoffs.lead_id = lead_persons.lead_id
    left join opportunities on handoffs.opportunity_id = opportunities.opportunity_id
),

-- first meeting by the receiver with the person or the converted account, at/after tossup_at
meeting_candidates as (
    select base.handoff_id, meetings.started_at
    from base
    inner join meetings
        on meetings.owner_rep_id = base.receiver_rep_id
        and meetings.started_at >= base.tossup_at
        and meetings.account_id = base.account_id

    union all

    select base.handoff_id, meetings.started_at
    from base
    inner join {{ ref('int_activity_persons') }} as activity_persons
        on activity_persons.person_key = base.person_key
    inner join meetings
        on meetings.activity_id = activity_persons.activity_id
        and meetings.owner_rep_id = base.receiver_rep_id
        and meetings.started_at >= base.tossup_at
),

first_meetings as (
    select handoff_id, min(started_at) as first_meeting_at
    from meeting_candidates
    group by handoff_id
)

select
    -- ids
    base.handoff_id,
    base.person_key,
    base.lead_id,
    base.account_id,
    base.contact_id,
    base.opportunity_id,
    base.sender_rep_id,
    base.receiver_rep_id,
    sender.rep_name as sender_rep_name,
    receiver.rep_name as receiver_rep_name,
    sender.team as sender_team,
    receiver.team as receiver_team,
    case when base.sender_rep_id = base.receiver_rep_id then 'full_cycle' else 'division_of_labour' end as unit,
    -- timestamps
    base.tossup_at,
    {{ reporting_date('base.tossup_at') }} as tossup_local_date,
    {{ reporting_month('base.tossup_at') }} as tossup_month,
    -- canonical fields, cleaned
    base.company_name,
    base.contact_name,
    base.contact_email,
    base.contact_phone,
    base.contact_phone_raw,
    base.challenge,
    base.budget_status,
    base.budget_status_raw,
    {{ to_money('base.budget_amount') }} as budget_amount,
    base.authority,
    base.authority_raw,
    base.timeframe_raw,
    base.timeframe_date,
    base.next_meeting_at,
    -- validity
    base.is_valid_company_name,
    base.is_valid_contact_name,
    base.is_valid_contact_email,
    base.is_valid_contact_phone,
    base.is_valid_challenge,
    base.is_valid_budget_status,
    base.is_valid_budget_amount,
    base.is_valid_authority,
    base.is_valid_timeframe,
    base.is_valid_next_meeting_at,
    base.completeness,
    base.bant_score,
    base.is_qualified,
    -- outcome
    base.handoff_status,
    base.handoff_status_raw,
    base.reject_reason,
    first_meetings.first_meeting_at,
    {{ hours_between('base.tossup_at', 'first_meetings.first_meeting_at') }} as hours_to_first_meeting,
    coalesce(
        {{ hours_between('base.tossup_at', 'first_meetings.first_meeting_at') }} <= {{ var('handoff_sla_hours') }},
        false
    ) as is_sla_met,
    coalesce(base.opportunity_is_won, false) as is_won
from base
left join first_meetings on base.handoff_id = first_meetings.handoff_id
left join reps as sender on base.sender_rep_id = sender.rep_id
left join reps as receiver on base.receiver_rep_id = receiver.rep_id
