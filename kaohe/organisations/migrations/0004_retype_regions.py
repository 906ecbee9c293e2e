"""Re-type regions that were stored as counties whatever their name (…区, …市, …乡/…镇, …街道, 开发区).

Only rows typed "county" change, and only when the name says otherwise; a name that says nothing stays a county.
The rules are those of ``kaohe.organisations.regions.infer_level``, copied here (migrations import no app code).
"""

from django.db import migrations

ZONE = ("管委会", "管理委员会", "开发区", "高新区", "示范区", "集聚区", "园区", "新城", "综合试验区")
SUBDISTRICT = ("街道办事处", "街道")
TOWN = ("乡", "镇")


def _level(name, parent_level):
    if name.endswith(("县", "旗")):
        return "county"
    if name.endswith(ZONE):
        return "zone"
    if name.endswith(SUBDISTRICT):
        return "subdistrict"
    if name.endswith("市") and parent_level == "city":
        return "county_city"
    if name.endswith("区") and parent_level == "city":
        return "district"
    if name.endswith(TOWN):
        return "town"
    return "county"


def retype(apps, schema_editor):
    Region = apps.get_model("organisations", "Region")
    for region in Region.objects.filter(level="county").select_related("parent"):
        level = _level(region.name.strip(), region.parent.level if region.parent_id else None)
        if level != region.level:
            region.level = level
            region.save(update_fields=["level"])


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_region_levels")]

    operations = [migrations.RunPython(retype, migrations.RunPython.noop)]
