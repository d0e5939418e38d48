from io import StringIO

import pytest

from laureates import demo
from laureates.models import Ptce, PtceMember
from territories.models import Region, Zone

pytestmark = pytest.mark.django_db


def test_demo_directory_covers_every_region_and_is_idempotent():
    demo.load(StringIO())
    demo.load(StringIO())
    assert Ptce.objects.count() == 40
    assert all(name.endswith("(démo)") for name in Ptce.objects.values_list("name", flat=True))
    regions = set(Region.objects.exclude(zone=Zone.COM).values_list("code", flat=True))
    assert set(Ptce.objects.values_list("main_region_id", flat=True)) == regions
    assert set(Ptce.objects.values_list("status", flat=True)) == {
        "emerging",
        "funded",
        "active",
        "inactive",
    }
    assert PtceMember.objects.filter(is_public=True).exists()
    assert PtceMember.objects.filter(is_public=False).exists()
