"""One victim-suspect pair is one timeline: referrals linked only through the same victim or only
through the same suspect move to timelines of their own pair. A timeline's id is the id of its
first referral."""

from collections import defaultdict

from django.db import migrations


def regroup_by_pair(apps, schema_editor):
    PersonName = apps.get_model("referral", "PersonName")
    Referral = apps.get_model("referral", "Referral")
    people = defaultdict(lambda: {"victim": set(), "suspect": set()})
    rows = PersonName.objects.values_list("referral_id", "role", "normalised", "date_of_birth")
    for referral_id, role, normalised, born in rows.iterator(chunk_size=5000):
        people[referral_id][role].add((normalised, born))

    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        while parent.setdefault(pk, pk) != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    first_of_pair: dict[tuple, int] = {}
    for referral_id in sorted(people):
        keys = people[referral_id]
        for victim in keys["victim"]:
            for suspect in keys["suspect"]:
                other = first_of_pair.setdefault((victim, suspect), referral_id)
                a, b = root(other), root(referral_id)
                if a != b:
                    parent[max(a, b)] = min(a, b)

    groups = defaultdict(list)
    for pk, timeline in Referral.objects.values_list("pk", "timeline_id").iterator(chunk_size=5000):
        wanted = root(pk) if pk in parent else pk
        if timeline != wanted:
            groups[wanted].append(pk)
    for timeline, pks in groups.items():
        for start in range(0, len(pks), 1000):
            Referral.objects.filter(pk__in=pks[start:start + 1000]).update(timeline_id=timeline)


class Migration(migrations.Migration):
    dependencies = [("referral", "0005_victim_address_is_contact")]

    operations = [migrations.RunPython(regroup_by_pair, migrations.RunPython.noop)]
