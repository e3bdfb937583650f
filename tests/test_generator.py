"""The bulk generator writes consistent dossiers: valid chains, facts, unique codes; resumable."""

from django.core.management import call_command

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
