"""Assessment and intervention bodies as the API takes them."""

RISK_ASSESSMENT = {
    "risk_level": "high",
    "summary": "Escalating since the charge.",
    "victim_views": "Wants him kept away from her street.",
    "bail_conditions_sought": "No contact; not to enter Elm Road.",
    "recommendation": "Bail with conditions",
}
PSR = {
    "risk_of_serious_harm": "high",
    "proposal": "Community order with a mental health treatment requirement",
    "treatment_suitability": "Suitable for a mental health treatment requirement.",
}
THREAT = {
    "summary": "Fixated on the victim.",
    "risk_formulation": "Grievance after the relationship ended; persistent.",
    "recommendations": "No-contact conditions; refer to the stalking programme.",
}


def intervention(**fields) -> dict:
    return {"kind": "stalking_programme", "vehicle": "voluntary", **fields}


PERPETRATOR_ASSESSMENT = {
    "instrument": "srp",
    "assessor_trained": True,
    "persistence": "high",
    "recurrence": "moderate",
    "violence": "low",
}
