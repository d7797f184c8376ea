"""The interventions API driven through the OpenAPI check (`tests/test_openapi_responses.py`):
every answer validated against the document."""

API = "/api/v1"
CASE = f"{API}/referrals/{{referral_id}}/"


def _task(call, client, task_type, rid):
    tasks = call(client, "get", f"{API}/tasks/", 200, query="?scope=queue&page_size=500")
    return next(t["id"] for t in tasks["results"]
                if t["task_type"] == task_type and t["referral"] == rid)


def drive(call, member, rid):
    """On a case with a bail hearing recorded: CPS seeks a psychiatric assessment, the unit
    records its steps; police record an intervention, move it on, assess the perpetrator."""
    police, cps, unit = (member[n] for n in ("police.caseworker", "cps.caseworker",
                                             "ftac.caseworker"))
    task = _task(call, cps, "psychiatric_assessment_request", rid)
    call(cps, "post", f"{API}/tasks/{{task_id}}/claim/", 200, task_id=task)
    call(cps, "post", f"{API}/tasks/{{task_id}}/complete/", 200,
         {"request": True, "reason": "Possible delusional disorder."}, task_id=task)
    sought = call(police, "get", CASE + "assessments/", 200, referral_id=rid)["psychiatric"][0]
    call(unit, "post", CASE + "psychiatric-assessments/{assessment_id}/", 200,
         {"status": "requested", "provider": "Dr Rowe"}, referral_id=rid,
         assessment_id=sought["id"])
    call(police, "get", CASE + "interventions/", 200, referral_id=rid)
    offered = call(police, "post", CASE + "interventions/", 201,
                   {"kind": "stalking_programme", "vehicle": "voluntary"}, referral_id=rid)
    call(police, "post", CASE + "interventions/{intervention_id}/status/", 200,
         {"status": "started"}, referral_id=rid,
         intervention_id=offered["interventions"][0]["id"])
    call(police, "post", CASE + "perpetrator-assessments/", 201,
         {"instrument": "srp", "assessor_trained": True, "persistence": "high",
          "recurrence": "moderate", "violence": "low"}, referral_id=rid)
    call(police, "get", CASE + "interventions/", 200, referral_id=rid)
