"""Seed the channels and service categories the two articles name (R15); both stay editable."""

from django.db import migrations

INTERNAL = ["走基层", "政工师下班组", "职工代表巡视", "民主生活会", "局长接待日", "说说你的心里话",
            "啄木鸟专项行动"]  # fmt: skip
EXTERNAL = ["大客户走访", "行风监督员", "媒体节目", "双百并举·合力发展", "政府网络问政"]
CATEGORIES = {
    "安全生产": ["设备隐患整改", "安全防护用品", "作业环境改善", "安全技能培训"],
    "经营管理": ["业扩报装", "电费电价咨询", "供电可靠性", "计划停电安排", "营业服务"],
    "廉洁自律": ["作风建设", "廉洁风险提示", "违规问题反映"],
    "党建政工": ["组织生活", "党员教育", "思想动态", "企业文化建设"],
    "生活保障": ["食堂饮水", "取暖供热", "宿舍被褥", "文体设施", "困难帮扶", "子女教育"],
}


def seed(apps, schema_editor):
    Channel = apps.get_model("liaison", "Channel")
    ServiceCategory = apps.get_model("liaison", "ServiceCategory")
    ServiceItem = apps.get_model("liaison", "ServiceItem")
    for scope, names in (("internal", INTERNAL), ("external", EXTERNAL)):
        for position, name in enumerate(names):
            Channel.objects.get_or_create(name=name, defaults={"scope": scope, "position": position})
    for position, (name, items) in enumerate(CATEGORIES.items()):
        category, _ = ServiceCategory.objects.get_or_create(
            name=name, defaults={"position": position}
        )
        for item_position, item in enumerate(items):
            ServiceItem.objects.get_or_create(
                category=category, name=item, defaults={"position": item_position}
            )


class Migration(migrations.Migration):
    dependencies = [("liaison", "0004_ledger")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
