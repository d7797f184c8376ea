"""A victim's address is a contact detail: it moves from the victim (read by every involved
agency) to `VictimContact` (read only by the agencies that may contact the victim)."""

from django.db import migrations


def move_victim_addresses(apps, schema_editor):
    Referral = apps.get_model("referral", "Referral")
    Person = apps.get_model("referral", "Person")
    VictimContact = apps.get_model("referral", "VictimContact")
    cases = Referral.objects.filter(victim__isnull=False).exclude(victim__address="")
    for referral_id, victim_id, address in cases.values_list("pk", "victim_id", "victim__address"):
        contact, _ = VictimContact.objects.get_or_create(referral_id=referral_id)
        if not contact.address:
            contact.address = address
        elif address not in contact.address:
            contact.address = f"{contact.address}\n{address}"
        contact.save(update_fields=["address"])
        Person.objects.filter(pk=victim_id).update(address="")


class Migration(migrations.Migration):
    dependencies = [("referral", "0004_referral_newest_index")]

    operations = [migrations.RunPython(move_victim_addresses, migrations.RunPython.noop)]
