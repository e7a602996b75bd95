"""The demo's knowledge base: a few reply templates for the service items the demo's entries use
most (migration 0005's items), written by the party-building department's demo login, so that
a new user finds the picker on the entry page. Idempotent by (item, title).

The answers and policy references are illustrative: a real party-building department checks
each document and article against the texts in force before offering it.
"""

from __future__ import annotations

from django.db.models import Q

from liaison.constants import TemplateUse
from liaison.models import ReplyTemplate, ServiceItem, User
from liaison.services.knowledge import reply_template_create

R, P, B = TemplateUse.REPLY, TemplateUse.PLAN, TemplateUse.BOTH

# (service item or "" for every item, title, use, standard answer, policy references)
TEMPLATES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "电费电价咨询",
        "电费电价政策解释",
        R,
        "您好！您反映的电费电价问题我们已核实。居民生活用电执行阶梯电价，按年度累计用电量分档"
        "计价；执行峰谷分时电价的客户，按峰、谷时段分别计量计费。您本期电费的计算明细为：〔请填写〕。"
        "如对抄表数据有疑问，可申请现场校验电能表，我们将在约定时间上门。感谢您的理解与支持！",
        "《国家发展改革委关于居民生活用电试行阶梯电价的指导意见》（发改价格〔2011〕2617号）\n"
        "本省居民阶梯电价、分时电价执行文件（请填写文号）",
    ),
    (
        "电费电价咨询",
        "电费账单核对",
        B,
        "经核对，您本期抄表示数为〔请填写〕，上期为〔请填写〕，用电量〔请填写〕千瓦时，电费计算无误"
        "（或：因〔原因〕多计电费〔金额〕元，将于下期退补）。"
        "电费明细可在“网上国网”App 或营业厅查询。",
        "《供电营业规则》（国家发展改革委令2024年第14号）有关电能计量、电费退补的规定",
    ),
    (
        "业扩报装",
        "低压业扩报装时限",
        R,
        "您好！您的用电报装申请已受理（受理编号〔请填写〕）。低压客户报装实行“一证受理”，"
        "我公司将在承诺时限内完成现场勘查、供电方案答复和装表接电，办理进度可在“网上国网”App "
        "查询。如需上门服务，请联系客户经理〔姓名、电话〕。",
        "《国家发展改革委 国家能源局关于全面提升“获得电力”服务水平 持续优化用电营商环境的意见》"
        "（发改能源规〔2020〕1479号）\n本公司供电服务承诺",
    ),
    (
        "业扩报装",
        "充电桩报装",
        R,
        "您好！居民自用充电桩报装可通过“网上国网”App 或营业厅申请，需提供身份证明、车位产权或"
        "使用证明，以及物业同意安装的证明（如有）。受理后我们将上门勘查，确定接入方案后安装独立"
        "计量表计，执行居民合表用户电价。",
        "《关于加快居民区电动汽车充电基础设施建设的通知》（发改能源〔2016〕1611号）",
    ),
    (
        "业扩报装",
        "增容报装方案",
        P,
        "一、现场勘查：〔日期〕前由客户经理会同运检人员完成现场勘查。\n"
        "二、供电方案：勘查后〔n〕个工作日内答复供电方案。\n"
        "三、工程实施：客户受电工程竣工后组织验收，验收合格后〔n〕个工作日内装表接电。\n"
        "责任人：〔姓名〕。",
        "本公司业扩报装管理办法",
    ),
    (
        "计划停电安排",
        "停电计划告知",
        R,
        "您好！您反映的停电问题我们已了解。计划检修停电我们会提前七天通过公告、短信和“网上国网”"
        "App 通知；本次停电时间为〔日期 时段〕，原因为〔请填写〕。对生产有特殊要求的企业，可提前与"
        "客户经理联系协商停电时段或临时供电措施。给您带来不便，敬请谅解。",
        "《电力供应与使用条例》第二十八条（计划检修停电应提前七天通知用户或公告）\n"
        "《供电监管办法》",
    ),
    (
        "供电可靠性",
        "频繁停电整改方案",
        P,
        "一、排查：〔日期〕前完成线路巡视和故障原因分析（雷击、树障、设备老化）。\n"
        "二、临时措施：加装避雷器、清理树障。\n"
        "三、长期措施：将线路改造列入〔年度〕项目储备。\n"
        "四、答复客户：措施完成后向反映人说明情况。",
        "本公司配电网运维规程",
    ),
    (
        "宿舍被褥",
        "值班室被褥更换",
        B,
        "已会同后勤部门核实站所值班室被褥使用情况，将于〔日期〕前统一更换〔数量〕套，"
        "此后按年度计划定期更换。",
        "本公司后勤保障管理办法（职工值班住宿条件）",
    ),
    (
        "",
        "答复通用结构",
        R,
        "您好！感谢您反映〔问题〕。经〔部门〕核实，〔核实情况〕。我们已〔采取的措施〕，"
        "〔后续安排〕。如有其他意见，请联系〔姓名、电话〕。",
        "",
    ),
)


def demo_titles() -> list[str]:
    return [title for _item, title, *_rest in TEMPLATES]


def demo_seed_knowledge() -> int:
    """Write the templates that are missing (by item and title); return how many were written.
    Items an administrator renamed are skipped."""
    author = User.objects.filter(username="dangjian").first()
    if author is None:
        return 0
    items = {item.name: item for item in ServiceItem.objects.filter(is_active=True)}
    existing = set(
        ReplyTemplate.objects.filter(title__in=demo_titles()).values_list("item__name", "title")
    )
    written = 0
    for position, (item_name, title, use, text, policy) in enumerate(TEMPLATES):
        item = items.get(item_name) if item_name else None
        if (item_name and item is None) or ((item_name or None), title) in existing:
            continue
        reply_template_create(
            actor=author,
            item=item,
            title=title,
            text=text,
            policy_refs=policy,
            use=use,
            position=position,
        )
        written += 1
    return written


def demo_template_count() -> int:
    return ReplyTemplate.objects.filter(
        Q(item__isnull=True) | Q(item__is_active=True), title__in=demo_titles()
    ).count()
