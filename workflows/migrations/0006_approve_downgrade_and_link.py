"""Two task types run beside the main flow: `approve_downgrade` (a supervisor approves a risk
level below the screening's) and `link_referrals` (the coordinator links, merges or separates
referrals of the same people); and notifications about a case rather than a task (declined,
decline refused, link outcome), which name the case they are about."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referral', '0007_involvement_basis_merged'),
        ('workflows', '0005_task_in_queue'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='referral',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='referral.referral'),
        ),
        migrations.AlterField(
            model_name='agencytask',
            name='task_type',
            field=models.CharField(blank=True, choices=[('triage', 'Triage'), ('approve_decline', 'Approve a decline'), ('provide_info', 'Provide more information'), ('research', 'Research own records'), ('threat_assessment', 'Threat assessment'), ('charging_review', 'Charging review'), ('schedule_conference', 'Schedule a case conference'), ('plan', 'Single-agency plan'), ('action', 'Conference action'), ('review', 'Case review'), ('closure', 'Close the case'), ('approve_closure', 'Approve closure'), ('enforcement', 'Enforce a breached order'), ('pre_hearing_risk_assessment', 'Pre-hearing risk assessment'), ('psychiatric_assessment_request', 'Psychiatric assessment before court?'), ('victim_update', 'Update the victim'), ('minutes_distribution', 'Distribute the minutes'), ('approve_downgrade', 'Approve a lower risk level'), ('link_referrals', 'Link or merge referrals of the same people')], max_length=40),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('queued', "New task in your agency's queue"), ('assigned', 'Task assigned to you'), ('overdue', 'Task overdue'), ('declined', "Your agency's referral was declined"), ('decline_refused', 'Your decline was refused'), ('link_outcome', "Your agency's referral was reviewed against others")], max_length=20),
        ),
    ]
