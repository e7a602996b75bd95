# The merge of 0010_month_close (closed months, R24) and 0011_resolved_per_matter (resolved
# per matter): the counts 0011 added are signed too, like every roll-up count since 0010.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0010_month_close"),
        ("feedback", "0011_resolved_per_matter"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entrymonthly",
            name="matters_resolved",
            field=models.IntegerField(default=0, verbose_name="matters resolved"),
        ),
        migrations.AlterField(
            model_name="entrymonthly",
            name="problems_resolved",
            field=models.IntegerField(default=0, verbose_name="problems solved"),
        ),
        migrations.AlterField(
            model_name="entrymonthly",
            name="rehandled",
            field=models.IntegerField(default=0, verbose_name="re-handled"),
        ),
        migrations.AlterField(
            model_name="entrymonthly",
            name="reopened",
            field=models.IntegerField(default=0, verbose_name="reopened"),
        ),
        migrations.AlterField(
            model_name="entrymonthly",
            name="resolved",
            field=models.IntegerField(default=0, verbose_name="results (every round)"),
        ),
        migrations.AlterField(
            model_name="entrymonthlylevel",
            name="matters_resolved",
            field=models.IntegerField(default=0, verbose_name="matters resolved"),
        ),
        migrations.AlterField(
            model_name="entrymonthlylevel",
            name="problems_resolved",
            field=models.IntegerField(default=0, verbose_name="problems solved"),
        ),
        migrations.AlterField(
            model_name="entrymonthlylevel",
            name="rehandled",
            field=models.IntegerField(default=0, verbose_name="re-handled"),
        ),
        migrations.AlterField(
            model_name="entrymonthlylevel",
            name="reopened",
            field=models.IntegerField(default=0, verbose_name="reopened"),
        ),
        migrations.AlterField(
            model_name="entrymonthlylevel",
            name="resolved",
            field=models.IntegerField(default=0, verbose_name="results (every round)"),
        ),
        migrations.AlterField(
            model_name="entrymonthlyown",
            name="matters_resolved",
            field=models.IntegerField(default=0, verbose_name="matters resolved"),
        ),
        migrations.AlterField(
            model_name="entrymonthlyown",
            name="problems_resolved",
            field=models.IntegerField(default=0, verbose_name="problems solved"),
        ),
        migrations.AlterField(
            model_name="entrymonthlyown",
            name="rehandled",
            field=models.IntegerField(default=0, verbose_name="re-handled"),
        ),
        migrations.AlterField(
            model_name="entrymonthlyown",
            name="reopened",
            field=models.IntegerField(default=0, verbose_name="reopened"),
        ),
        migrations.AlterField(
            model_name="entrymonthlyown",
            name="resolved",
            field=models.IntegerField(default=0, verbose_name="results (every round)"),
        ),
    ]
