"""The bulk generator writes consistent dossiers: valid chains, facts, unique codes; resumable."""

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.catalog.services import import_catalog
from motcua.demo.generator import generate
from motcua.demo.services import demo_catalog_bytes
from motcua.dossiers.models import Dossier, DossierFact, DossierStep


def test_generate_is_consistent_and_resumable(db, capsys):
    import_catalog(demo_catalog_bytes())
    assert generate(300, batch_size=120) == 300
    assert generate(300) == 0  # already there
    assert generate(350, batch_size=100) == 50
    assert Dossier.objects.count() == DossierFact.objects.count() == 350
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(set(codes)) == len(codes)
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {3, 10} <= statuses and statuses & {2, 4, 5}
    open_ones = Dossier.objects.filter(status__in=[2, 4])
    assert all(d.current_step_id for d in open_ones)
    assert DossierStep.objects.filter(state="active").count() == open_ones.count()
    assert set(DossierFact.objects.exclude(timeliness="").values_list("timeliness", flat=True)) <= {
        "early",
        "on_time",
        "late",
    }
    call_command("verify-events", "--no-progress")
    assert "350 dossiers" in capsys.readouterr().out


@pytest.mark.live
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel workers write with COPY on PostgreSQL")
def test_parallel_workers_and_procedure_variants(transactional_db, capsys):
    from motcua.catalog.models import Procedure
    from motcua.demo.catalog_variants import add_variants
    from motcua.demo.services import load_org, load_staff
    from motcua.org.services import load_divisions

    load_divisions()
    load_org()
    load_staff()
    import_catalog(demo_catalog_bytes())
    assert add_variants(120) == 40 and add_variants(120) == 0  # idempotent
    variant = Procedure.objects.get(code="1.001193.01").versions.get()
    assert "(biến thể 1)" in variant.name
    assert generate(400, batch_size=70, workers=2) == 400
    assert Dossier.objects.count() == DossierFact.objects.count() == 400
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(set(codes)) == 400  # disjoint day slices: no code collides
    assert DossierStep.objects.filter(finished_at__isnull=False, office_seconds__isnull=True).count() == 0
    assert DossierStep.objects.exclude(finished_by=None).exists()  # officials of the demo staff
    assert generate(450, workers=2) == 50 and Dossier.objects.count() == 450  # resumes past the workers' ids
    call_command("verify-events", "--no-progress")
    assert "450 dossiers" in capsys.readouterr().out
