"""A member's notices, newest first, read their page off an index. (Apart from the update of
0007: PostgreSQL builds no index on a table with that update's triggers still pending.)"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0007_notification_names_its_case'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['user', '-created_at', '-id'], name='notification_newest'),
        ),
    ]
