-- Who a Gong call was with. A party is internal when Gong says so (affiliation Internal) or
-- when its address is one of the company's own (macro is_internal_email: a colleague without
-- a Gong user, a group company's domain), whatever Gong's External flag says. A call whose
-- parties are all internal is no customer call or meeting (domain.md "Internal people are
-- never leads"); a call without party data keeps Gong's scope.
with parties as (
    select
        call_parties.call_id,
        coalesce(call_parties.affiliation = 'Internal', false)
            or (
                call_parties.email_normalized is not null
                and {{ is_internal_email('call_parties.email_normalized') }}
            ) as is_internal
    from {{ ref('stg_gong__call_parties') }} as call_parties
)

select
    calls.call_id,
    count(parties.call_id) as party_count,
    sum(case when parties.call_id is not null and not parties.is_internal then 1 else 0 end)
        as customer_party_count,
    calls.scope = 'External'
        and (
            count(parties.call_id) = 0
            or sum(case when parties.call_id is not null and not parties.is_internal then 1 else 0 end) > 0
        ) as is_customer_call
from {{ ref('stg_gong__calls') }} as calls
left join parties on calls.call_id = parties.call_id
group by calls.call_id, calls.scope
