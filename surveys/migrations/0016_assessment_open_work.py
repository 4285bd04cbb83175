# The work still open (drafts and submissions): a partial index over the few dozen such
# assessments among thousands of validated ones, for "My work", its count in the navigation
# and the review queue.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0015_answer_and_invitation_language"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                condition=models.Q(("status__in", ["draft", "submitted"])),
                fields=["status", "mode"],
                name="assessment_open_work",
            ),
        ),
    ]
