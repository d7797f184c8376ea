"""An involvement basis `merged`: the agency whose referral was merged into the case."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referral', '0006_timeline_per_pair'),
    ]

    operations = [
        migrations.AlterField(
            model_name='involvement',
            name='basis',
            field=models.CharField(choices=[('referrer', 'Referred the case'), ('task', 'Holds a task on the case'), ('conference', 'Invited to a conference with the case on the agenda'), ('merged', 'Its own referral was merged into the case')], max_length=20),
        ),
    ]
