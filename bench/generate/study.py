"""The study figures of `shared/DOMAIN.md`, as samplers the generator draws cases from.

Each constant names its source. Where a study gives no figure (social media, threats, how long a
task takes) the number is a plausible guess, marked as such.
"""

from __future__ import annotations

import random
from datetime import timedelta

# Victims' survey (140 victims): relationship of stalker to victim; a case can have more than one
# (the shares add up to 118%).
RELATIONSHIPS: dict[str, float] = {
    "former_partner": 0.57,
    "stranger": 0.13,
    "neighbour": 0.13,
    "ex_colleague": 0.12,
    "acquaintance": 0.11,
    "family": 0.06,
    "patient": 0.03,
    "friend": 0.03,
}
SECOND_RELATIONSHIP = sum(RELATIONSHIPS.values()) - 1  # 0.18 of cases name a second one

# Victims' survey: behaviours reported. The last seven are guesses (the survey names social
# media, child contact and the court process without a share).
BEHAVIOURS: dict[str, float] = {
    "phone_calls": 0.62,
    "following": 0.51,
    "texts": 0.50,
    "third_party": 0.50,
    "email": 0.30,
    "letters": 0.25,
    "break_in": 0.25,
    "social_media": 0.35,
    "loitering": 0.30,
    "property_damage": 0.20,
    "threats": 0.22,
    "violence": 0.12,
    "child_contact": 0.10,
    "court_process": 0.08,
}

# Victims' survey: 42% had been stalked for 24 months or more.
LONG_STALKING_SHARE = 0.42
# Probation study: over half followed a relationship with domestic violence.
DOMESTIC_VIOLENCE_SHARE_OF_PARTNERS = 0.9
# Probation study: 55% of perpetrators over 40; all but one male, all but one victim female.
SUSPECT_OVER_40_SHARE = 0.55
# Probation study: 10 of 80 no previous convictions, 47 three or more, 11 serious violence.
CONVICTIONS = ((0, 10 / 80), (1, 12 / 80), (2, 11 / 80), (3, 47 / 80))
SERIOUS_VIOLENCE_SHARE = 11 / 80
# Victims' survey: not charged in nearly 9 of 10 cases; probation: 2% custody, 10% community
# sentence or fine; fewer than 10% treated, usually (wrongly) domestic-violence counselling.
CHARGED_SHARE = 0.11
CUSTODY_SHARE = 0.02
# Not drawn: with custody it is more than are charged; every convicted case not sent to custody
# gets one instead (`hearings.Hearings.charged`).
COMMUNITY_OR_FINE_SHARE = 0.10
TREATMENT_SHARE = 0.08
# Victims' survey: one victim recorded over 50 breaches of non-molestation orders.
HEAVY_BREACHER_SHARE = 0.02

# Guesses about the caseload itself.
ORDER_SHARE = 0.30
ORDER_KINDS = {
    "non_molestation_order": 0.35,
    "restraining_order": 0.30,
    "bail_conditions": 0.20,
    "stalking_protection_order": 0.10,
    "interim_stalking_protection_order": 0.05,
}
REPEAT_REFERRAL_SHARE = 0.08
TRIAGE_DECISIONS = {"accept": 0.85, "request_info": 0.07, "decline": 0.08}
DECLINE_APPROVED_SHARE = 0.8
CHARGING_ADVICE_SHARE = 0.3
REVIEW_CLOSES_SHARE = 0.2
WITHHELD_SHARE = 0.05
# A task a supervisor hands to a named member (`task_reassign`) rather than one claimed from
# the queue.
GIVEN_BY_SUPERVISOR_SHARE = 0.08
# The court process after a charge (guesses; the studies give the outcomes, not the hearings).
CONVICTED_SHARE = 0.8  # of those charged (`SENTENCES` divides by it)
GUILTY_PLEA_SHARE = 0.65  # of those convicted, at the first hearing
BAIL_HEARING_SHARE = 0.35  # a contested bail application or a review of bail conditions
PSYCHIATRIC_REQUEST_SHARE = 0.3  # CPS asks for a psychiatric assessment before the hearing
# What police decide on the case's offence when they do not ask CPS to charge (guesses shaped
# by the victims' survey, not charged in nearly 9 of 10 cases, and the probation study, "the
# rest apparently in no further action"): mostly no further action, with its outcome reason.
POLICE_OUTCOMES = {
    "no_further_action": 0.70,
    "released_under_investigation": 0.15,
    "cautioned": 0.08,
    "community_resolution": 0.07,
}
NFA_REASONS = {
    "evidential_victim_supports": 0.40,
    "evidential_victim_does_not_support": 0.35,
    "public_interest": 0.10,
    "suspect_not_identified": 0.05,
    "other": 0.10,
}
# Probation study: 2% of stalking crimes ended in custody, 10% in a community sentence or fine.
# Of the convicted cases (`CHARGED_SHARE` x `CONVICTED_SHARE`, about 8.8% of cases) the main
# offence's sentence: immediate custody so that it is 2% of cases (about 0.23 of them); the
# rest mostly community orders and fines, a few suspended sentences and discharges (guesses).
# With the victims' survey's 1 case in 9 charged, community sentences and fines (with the small
# breach fines) come to about 7% of cases, not 10%: the two studies do not add up.
SENTENCES = {
    "immediate_custody": CUSTODY_SHARE / (CHARGED_SHARE * CONVICTED_SHARE),
    "community_order": 0.50,
    "fine": 0.20,
    "suspended_sentence": 0.03,
    "conditional_discharge": 0.02,
}
# Probation study: fewer than 10% of convicted stalkers received any treatment: a treatment
# requirement on this share of community orders (about 8% of those convicted).
TREATMENT_REQUIREMENT_SHARE = TREATMENT_SHARE / SENTENCES["community_order"]
# Restraining orders made on conviction of the main offence (a guess).
RESTRAINING_ORDER_ON_CONVICTION_SHARE = 0.6
# The court's bail decision at the first hearing (guesses).
COURT_BAIL = {"bail_with_conditions": 0.6, "bail_unconditional": 0.3,
              "remanded_in_custody": 0.1}
# Victims' survey: "over 50 breaches of non-molestation orders that ended in an 80-pound fine".
# A breach arrested on is charged by police in this share (else released under investigation or
# no further action); charged, pleaded guilty in most, and fined a median of
# `BREACH_FINE_MEDIAN_POUNDS` (a lognormal spread) or conditionally discharged.
BREACH_CHARGED_SHARE = 0.6
BREACH_GUILTY_SHARE = 0.9
BREACH_FINED_SHARE = 0.8
BREACH_FINE_MEDIAN_POUNDS = 80
# Stalking protection orders (guesses: no study gives a share). Police apply for one in this
# share of the cases they research (about 7% of cases), once their research is done; the court
# makes an interim order within days in some, and at the listed hearing the full order in most
# (else it refuses). Served, the suspect notifies the police within three days (SPA 2019 s.9)
# mostly; a late notice or none is a failure to notify.
SPO_APPLICATION_SHARE = 0.08
INTERIM_SPO_SHARE = 0.4
SPO_MADE_SHARE = 0.85
SPO_NOTIFICATION = {"on_time": 0.85, "late": 0.1, "none": 0.05}
# Screening answers the referrer did not know (null: counted with the yeses), and the share of
# referrals that give a phone number or an online account for the victim or the suspect (guesses).
NOT_KNOWN_SHARE = 0.06
IDENTIFIER_SHARE = 0.5
# Victim updates (guesses): most victims are reached; how.
VICTIM_CONTACTED_SHARE = 0.9
VICTIM_CONTACT_METHODS = ("phone", "phone", "text", "visit", "email")

FEMALE_NAMES = (
    "Amelia", "Olivia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
    "Lily", "Evie", "Jessica", "Ruby", "Freya", "Chloe", "Sophie", "Daisy", "Alice",
    "Florence", "Phoebe", "Evelyn", "Hannah", "Sarah", "Rachel", "Laura", "Emma", "Claire",
    "Helen", "Joanne",
)
MALE_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Leo", "Alfie", "Henry", "Joshua", "Daniel", "Mark", "Paul", "Steven",
    "Andrew", "David", "Richard", "Michael", "Peter", "Gary", "Lee", "Craig", "Darren",
    "Wayne", "Neil",
)
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen",
)


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def relationships(rng: random.Random) -> list[str]:
    """One relationship drawn by share; 18% of cases name a second one."""
    chosen = [weighted(rng, RELATIONSHIPS)]
    if rng.random() < SECOND_RELATIONSHIP:
        rest = {k: v for k, v in RELATIONSHIPS.items() if k not in chosen}
        chosen.append(weighted(rng, rest))
    return chosen


def behaviours(rng: random.Random) -> list[str]:
    """Each behaviour by its reported share; at least one."""
    chosen = [b for b, share in BEHAVIOURS.items() if rng.random() < share]
    return chosen or [weighted(rng, BEHAVIOURS)]


def stalking_duration(rng: random.Random) -> timedelta:
    """How long it has gone on at referral: 42% two years or more."""
    if rng.random() < LONG_STALKING_SHARE:
        months = 24 + rng.expovariate(1 / 18)
    else:
        months = rng.uniform(0.5, 24)
    return timedelta(days=round(months * 30.44))


def convictions(rng: random.Random) -> int:
    count = rng.choices([c for c, _ in CONVICTIONS], weights=[w for _, w in CONVICTIONS])[0]
    return count if count < 3 else 3 + int(rng.expovariate(1 / 3))


def person_name(rng: random.Random, *, female: bool) -> str:
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    return f"{first} {rng.choice(SURNAMES)}-{rng.randrange(1000, 9999)}"


def incident_count(rng: random.Random) -> int:
    """Incidents reported with the referral: a long tail (1 to 25)."""
    return min(25, 1 + int(rng.expovariate(1 / 3)))


def task_days(rng: random.Random, allowed: int) -> float:
    """Working time a task takes: mostly within its allowance, a fifth or so late."""
    return max(0.05, rng.lognormvariate(0, 0.9) * allowed * 0.55)
