"""Generated part of the DEV3 split (training/tuning, not held out): Chinese only.

Own templates, fillers, lender names, homophone/pinyin table, emoji and
zero-width sets, frame wording and seed; only the neutral mechanics in
generate.py (fill, between, traditional, pinyin_one, substitute, apply_keys,
strip_keys, tidy) are shared. Written from the law (刑法第293条之一, 征信业管理条例
第15条, 中国银行业协会2026催收指引) and from how real collection messages read,
without reading the content check or the other splits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from fairdue.bench.content_corpus.generate import (
    INTENTS,
    Draft,
    apply_keys,
    between,
    fill,
    full_width,
    pinyin_one,
    strip_keys,
    substitute,
    tidy,
    traditional,
)

SEED = 3320261207
SPLIT = "dev3"
UNLAWFUL_PER_INTENT = 25
LAWFUL = 215
ATTEMPTS_PER_MESSAGE = 30
EVADE_SHARE = 0.45  # share of unlawful messages with one evasion on their key phrase
FRAME_SHARE = 0.5  # share of unlawful (non-disguised) messages carrying a lender frame
COMPLETE_FRAME_SHARE = 0.6  # of those, share with a full tail (objection route)
TRADITIONAL_LAWFUL_SHARE = 0.08


@dataclass(frozen=True, slots=True)
class T:
    """One template: body (with {slots} and «key phrases») and the fields it is sent with."""

    body: str
    role: str = "borrower"
    channel: str = "sms|app_push"  # alternatives separated by |
    purpose: str = "collection"


# --- vocabulary -------------------------------------------------------------------
LENDERS = (
    ("桔子借", "400-606-3321"),
    ("麦田花", "400-828-1907"),
    ("蓝鲸贷", "400-112-4658"),
    ("松果借", "400-935-2270"),
    ("暖阳消费金融", "400-678-5512"),
    ("远山银行", "95536-7"),
    ("知春花", "400-301-8843"),
    ("鹿鸣贷", "400-717-6609"),
    ("海棠借", "400-242-5150"),
    ("东岳消费金融", "400-860-7731"),
    ("青松银行", "95581-2"),
    ("若水花", "400-519-2084"),
    ("竹影贷", "400-663-9402"),
    ("石榴借", "400-185-3376"),
    ("南风消费金融", "400-770-2615"),
    ("白桦银行", "95547-3"),
    ("小鹿分期", "400-292-8180"),
    ("稻香借钱", "400-456-0917"),
)

SLOTS: dict[str, tuple[str, ...]] = {
    "name": (
        "王海涛",
        "李春燕",
        "张志远",
        "刘梦",
        "陈小军",
        "杨帆",
        "赵雪梅",
        "黄志强",
        "周婷",
        "吴刚",
        "徐丽娟",
        "孙磊",
        "胡晓东",
        "朱敏",
        "高峰",
        "林静",
        "何勇",
        "郭芳",
        "马俊",
        "罗佳",
    ),
    "title": ("王先生", "李女士", "张先生", "刘女士", "陈先生", "杨女士", "赵先生", "黄女士", "周先生", "吴女士"),
    "child": ("儿子", "女儿", "小孩", "孩子", "闺女", "小儿子"),
    "kin": ("老婆", "老公", "媳妇", "爱人", "老妈", "老爸"),
    "relation": ("母亲", "父亲", "哥哥", "姐姐", "妻子", "丈夫", "表弟", "儿子", "女儿"),
    "school": (
        "阳光小学",
        "第二实验小学",
        "育才中学",
        "城南幼儿园",
        "新华路小学",
        "明德初中",
        "滨江小学",
        "向阳幼儿园",
    ),
    "place": ("楼下", "小区后门", "单元门口", "菜市场门口", "公交站旁边", "地铁口"),
    "vehicle": ("车", "电动车", "小货车", "摩托车", "面包车"),
    "shop": ("奶茶店", "水果摊", "理发店", "小超市", "五金店", "早餐铺"),
    "street": ("解放路", "建设大街", "人民路", "中山北路", "光明街", "和平路"),
    "time": ("今晚8点", "明天中午12点", "今天下班", "周五", "今天17点", "明天上午10点"),
    "addr": ("阿姨", "叔叔", "大姐", "大哥", "您"),
    "amount": ("1,580元", "3,200元", "860元", "12,000元", "4,750元", "2,316元", "6,480元", "980元"),
    "days": ("3", "7", "15", "21", "33", "48", "62", "90"),
    "hours": ("2", "3", "6", "12"),
    "minutes": ("10", "30", "45"),
    "product": (
        "借呗",
        "微粒贷",
        "京东金条",
        "美团借钱",
        "度小满",
        "安逸花",
        "招联好期贷",
        "网商贷",
        "360借条",
        "分期乐",
    ),
    "group": ("家族群", "业主群", "家长群", "公司群", "同学群", "老乡群", "朋友圈"),
    "platform": ("抖音", "快手", "小红书", "微博", "视频号"),
    "workplace": ("单位", "公司", "厂里", "科室", "门店"),
    "court": ("朝阳区人民法院", "江北区人民法院", "天河区人民法院", "滨湖区人民法院", "市中级人民法院"),
    "police": ("市公安局经侦支队", "区公安分局", "辖区派出所", "刑侦大队"),
    "regulator": ("国家金融监督管理总局", "中国人民银行征信中心", "金融监管总局催收督办组", "互联网金融协会"),
    "asset": ("房子", "车", "金首饰", "商铺", "保险", "门面"),
    "courier": ("顺丰速运", "圆通快递", "韵达快递", "京东物流", "菜鸟驿站", "中国邮政"),
    "premium": ("0901-6633-2211", "0909-1122-88", "0872-5566-3190", "0873-2001-4567", "118-3366-09", "1183-200-77"),
    "prize": ("扫地机器人一台", "iPad一台", "888元购物卡", "价值1999元的家电礼包", "免费旅游名额"),
    "hardship": (
        "最近失业了",
        "家里老人生病住院",
        "生意亏了",
        "工资被拖欠了两个月",
        "刚生完孩子在休产假",
        "被公司裁员了",
    ),
    "date": ("12月20日", "1月5日", "1月15日", "下月10日", "12月28日"),
    "months": ("3", "6", "12", "18", "24"),
    "wd": ("2", "3", "5"),
    "n": ("1", "2", "3"),
    "card": ("3321", "0876", "5542", "1190", "7703"),
    "code": ("418207", "905316", "260948", "731582"),
    "tracking": ("SF1029384756", "YT8827365510", "JD0098172634"),
    "ticket": ("TS20261201015", "TS20261203122", "TS20261206087"),
    "month": ("11", "12", "1"),
    "authority": ("公安局", "法院", "征信中心", "金融监管总局", "检察院"),
}

# homophones, pinyin, abbreviations and variant characters for words in key phrases
HOMOPHONES: dict[str, tuple[str, ...]] = {
    "通讯录": ("通迅禄", "tong讯录", "T·X·L", "通讯彔"),
    "曝光": ("瀑光", "bao光", "暴咣"),
    "坐牢": ("坐劳", "zuo牢", "蹲笆篱子"),
    "拘留": ("居留", "ju流", "拘溜溜"),
    "拘传": ("居传", "ju传"),
    "公安": ("公An", "工安", "GA"),
    "法院": ("法阮", "fa院", "发院"),
    "派出所": ("派chu所", "PCS"),
    "老赖": ("老濑", "lao赖", "LL"),
    "傻逼": ("傻哔", "SB", "shabi", "煞b"),
    "废物": ("费物", "fei物", "FW"),
    "垃圾": ("拉基", "lj", "辣圾"),
    "nmsl": ("NMSL", "n m s l", "尼玛死了"),
    "不要脸": ("不要lian", "bu要脸"),
    "借呗": ("借bei", "JB", "借唄"),
    "微粒贷": ("维粒贷", "WLD", "微li贷"),
    "套现": ("淘现", "tao现"),
    "弄死": ("弄si", "NS", "弄屎"),
    "孩子": ("孩砸", "hai子"),
    "黑名单": ("嘿名单", "hei名单"),
    "征信": ("正信", "zheng信"),
    "诈骗": ("炸骗", "zha骗"),
    "传票": ("传飘", "chuan票"),
    "立案": ("立an", "力案"),
    "单位": ("单wei", "dan位"),
    "家长群": ("家长qun", "JZ群"),
    "养老金": ("养老jin", "养佬金"),
    "卖了": ("麦了", "mai了"),
    "人渣": ("人zha", "人楂"),
    "退款": ("tui款", "退宽"),
    "中奖": ("zhong奖", "中jiang"),
}

EMOJI = ("🌹", "🙂", "👍", "✨", "🌸", "🍀", "⭐", "🔥", "💢", "😊", "🐶", "🎈")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
SEPARATORS = (" ", "·", ".", "/", "*", "-", "_", "~", "|")

OBJECTION = (
    "如有异议请致电{hotline}。",
    "如对账单有异议，可在{lender}App“异议申请”中提交，或致电{hotline}。",
    "对账单或催收行为有异议的，请致电{hotline}，也可拨打12378向金融监管部门反映。",
    "如您对上述内容有异议，请拨打客服电话{hotline}。",
)
POLITE_OPENERS = (
    "理解您近期的难处，您可以在App内申请分期。",
    "我们一直希望和您好好协商。",
    "感谢您之前的配合，您的账单目前仍未结清。",
    "您的借款已逾期{days}天，应还{amount}。",
    "看到您说{hardship}，我们也很理解。",
    "提醒您本期账单尚未还款。",
)
BURY_SHARE = 0.25  # share of framed unlawful messages whose unlawful sentence follows a polite, lawful-looking opener
CONTACT = ("客服电话{hotline}。", "详询{hotline}。", "详情请登录{lender}App。", "如有疑问请致电{hotline}。")

# --- templates ----------------------------------------------------------------------
UNLAWFUL: dict[str, tuple[T, ...]] = {
    "threat_harm": (
        T("你{kin}每天坐几路公交我们都清楚，«哪天在站台上碰见了»，大家好好聊聊。"),
        T("{time}前再不回电，«我们的人就在你家门口等你»，不见不散。"),
        T("你那辆{vehicle}挺新的吧，«晚上最好别停外面»。"),
        T("你{child}在{school}上学，每天几点放学、走哪条路，«我们都摸清楚了»。{time}前不把{amount}还上，自己掂量。"),
        T("你{kin}下夜班走的那条小路挺偏的，«出点什么意外»谁也说不好。"),
        T("你那辆{vehicle}天天停在{place}，«哪天被划了、轮胎扎了»可别找我们。"),
        T("我们«外面的朋友»已经在你家{place}转了两圈了，{time}前给个说法。"),
        T("再装死，«外访同事»明天直接去你家敲门，你{child}在家也得开门吧。"),
        T("欠钱不还，«小心你的腿»。"),
        T("你{kin}在哪上班我们都知道，«叫TA下班路上注意安全»。"),
        T("给脸不要脸是吧？«信不信我弄死你»。"),
        T("你那家{shop}开在{street}吧，«晚上关门后可得看好了»，这年头什么事都有。"),
        T("老家那边我们也安排好了，«你爸妈那儿随时有人去坐坐»。"),
        T("钱不到位，«你一家人都别想过安生日子»。"),
        T("喂你听好了啊 «再不还钱我们就上门收拾你» 别说没提醒你 {time}前"),
        T("你这种人就欠收拾，«找人教训你一顿»是迟早的事。"),
        T("你{child}那么小，«一个人在{school}门口等人接»多危险啊，你说是吧。"),
    ),
    "exposure": (
        T("你要再拖，我们就«把你的借款合同发到{group}»，让大家评评理。"),
        T("«你{workplace}的同事»明天都会接到我们的电话，我们会说清楚你欠了多少。"),
        T("{time}前不还，«你通讯录里所有人»都会收到你欠{amount}不还的消息。"),
        T("你的«照片已经P好了»，配上身份证号，马上发到你{group}。"),
        T("我们会«联系你{workplace}领导»，让他们好好认识一下你。"),
        T("不还钱就«在{group}曝光你»，让大家都看看你是什么人。"),
        T("«通讯录已导出»，第一批就发给你{kin}和你同事。"),
        T("你{child}学校的«家长群我们已经加进去了»，要不要我们在群里说两句？"),
        T("准备好«被挂到{platform}上»吧，标题都想好了：欠钱不还的{name}。"),
        T("我们会做一张«老赖通告»，贴到你小区门口和电梯里。"),
        T("再不处理，«你所有微信好友»都会知道你欠钱不还。"),
        T(
            "各位好，{name}在我司«欠款{amount}拒不归还»，特此告知，请大家转告督促。",
            role="third_party",
            channel="sms",
        ),
        T("明天就«往你单位寄催收函»，收件人写你们老板，信封上写清楚“欠款通知”。"),
        T("你不要脸我们也不给你留脸，«全网曝光»走起。"),
    ),
    "false_authority": (
        T("【{regulator}】您已被认定为«恶意逃废债»，即日起«冻结名下所有银行账户»。", channel="sms"),
        T("我们已向{court}申请«对你司法拘留15天»，你还有最后一次机会。"),
        T("【{court}】{name}：你因借款合同纠纷已被«立案»，请于{time}前履行，否则将«依法拘传»。", channel="sms"),
        T("我是{police}的，你的网贷逾期已涉嫌«恶意透支诈骗»，{time}前不还就«上门拘留»。"),
        T("您的逾期信息已上报«征信黑名单»，全国银行卡即将冻结。"),
        T("【{regulator}】您名下贷款逾期，已列入«重点追缴名单»，请于{time}前还款。", channel="sms"),
        T("«传票»已经寄出，开庭不到场直接«坐牢»。"),
        T("«执行局»明天就去你{workplace}扣工资、«贴封条»。"),
        T("逾期超过{days}天一律按«诈骗罪»移交«公安»处理。"),
        T("«仲裁委»已作出裁决，你的«子女将无法考公参军»。"),
        T("我们已经«报案»了，«派出所»近期会联系你。"),
        T("你已被«限制乘坐飞机和高铁»，还款后方可解除。"),
        T("我是«法院»工作人员，私下通知你，把钱转到指定账户就不开庭了。"),
        T(
            "{court}执行通知书：被执行人{name}，限你方于{time}前将欠款{amount}汇入申请人账户，"
            "逾期本院将«采取司法拘留措施»。",
            channel="letter",
        ),
    ),
    "insult": (
        T("欠钱不还的«孬种»，你也配当爹？"),
        T("我真没见过你这么«没脸没皮»的人。"),
        T("你个«傻逼»，钱不还电话也不接。"),
        T("«老赖»就是«老赖»，一辈子改不了。"),
        T("«不要脸»的东西，借钱的时候怎么不说没钱？"),
        T("你就是个«废物»，{amount}都还不起。"),
        T("«nmsl»，赶紧还钱！"),
        T("«垃圾»一个，活该穷一辈子。"),
        T("你«脑子进水»了吧？欠了{days}天还装死。"),
        T("«狗东西»，还钱！"),
        T("你就是个«人渣»，你{child}摊上你真可怜。"),
        T("跟你这种«下三滥»说话真是浪费时间。"),
        T("«死皮赖脸»的，你怎么还有脸活着？"),
    ),
    "new_borrowing": (
        T("你再去«申请张信用卡»，额度下来就把我们这边先还了。"),
        T("«{product}借出来»马上还，这样就不会上征信。"),
        T("先去«{product}»借一笔出来把我们这边还上，很简单的事。"),
        T("你«{product}»还有额度吧？先借出来周转一下。"),
        T("«信用卡套现»出来还我们，手续费才几十块。"),
        T("给你推荐几个«新口子»，秒下款，下了直接还我们。"),
        T("找你{kin}或者同事«先借点钱»还上，别拖了。"),
        T("用«{product}»的钱还我们这边，后面慢慢还它就行，利息还低。"),
        T("«以贷养贷»也是个办法，先把眼前的逾期处理掉。"),
        T("我们合作的平台可以«给你再下一笔»，专门用来还旧账。"),
        T("«拆东墙补西墙»嘛，谁不是这么过来的，先借{product}顶一下。"),
        T("你去开通«{product}»试试，新用户额度高，放款了马上转过来。"),
    ),
    "pressure": (
        T("给你«{minutes}分钟»考虑，不还就按违约处理，所有费用«一次性到期»。"),
        T("你«{kin}的金项链先拿去卖了»，今天就能凑够。"),
        T("«最后{hours}小时»！超时罚息翻倍且不可减免。"),
        T("今天不还，明天«滞纳金翻三倍»。"),
        T("把你那«{asset}卖了»，不就什么都解决了？"),
        T("让你爸妈«拿养老金»先帮你垫上，这才叫孝顺。"),
        T("«倒计时{minutes}分钟»，过时案件自动升级，谁也救不了你。"),
        T("你的«减免资格今晚作废»，之后一分都不能少。"),
        T("«抵押房子»贷点钱还我们，这有什么难的？"),
        T("«每天罚息{amount}»，你自己算算拖下去要多少。"),
        T("你那些«{asset}拿去当铺当了»，今天就能凑上。"),
        T("«必须立刻全额还清»，没有分期，没有商量。"),
        T("«公积金提出来»先还我们，装修啥的往后放一放。"),
    ),
    "disguised": (
        T("您好，您报名的«免费体检»需要核实信息，请告知您的单位地址和家庭住址。"),
        T("您的«ETC账户异常»即将停用，请回电«{premium}»处理。"),
        T("【{courier}】您的包裹派送失败，请回电«{premium}»核实收件地址。"),
        T("恭喜您获得«{prize}»，领奖请回复您的现住址和工作单位。"),
        T("您有一笔«退款»待领取，请回复您的姓名和借款账号。"),
        T("老同学，我是{name}啊，«好久没联系了»，你现在住哪儿？想找你聚聚。"),
        T("您好，我们在做«消费习惯问卷»，第一题：您目前网贷逾期金额是多少？"),
        T("【{courier}】您有一件到付件，请致电«{premium}»预约派送时间。"),
        T("您的«社保补贴»待领取，请拨打«{premium}»按提示操作。"),
        T("您好，我是{school}的老师，孩子在学校有点事，请«回电{premium}»。"),
        T("您参加的«幸运抽奖»中奖了，请登录借款App核对还款信息后领取。"),
        T("您好，我是物业，«您家水管漏水»了，麻烦告诉我您现在在哪。"),
        T("亲，您的«订单异常»需要退款，请联系专属客服«{premium}»。"),
    ),
    "third_party": (
        T("您好，{name}欠款的事«您作为家属也有责任»，请尽快处理。", role="emergency_contact", channel="sms"),
        T("经理您好，贵公司员工{name}«长期拖欠借款»，请您督促其还款。", role="third_party", channel="sms|email"),
        T(
            "您好，您的{relation}{name}在我平台«借款已逾期»，请您转告其尽快还款。",
            role="emergency_contact",
            channel="sms",
        ),
        T("您是{name}的紧急联系人，«请您代为偿还»其欠款{amount}。", role="emergency_contact", channel="sms"),
        T(
            "麻烦您«转告{name}»，事情再拖就不好办了，让他今天给我们回电。",
            role="emergency_contact",
            channel="sms",
        ),
        T("您好，您的同事{name}«有笔账一直没处理»，请您提醒一下。", role="third_party", channel="sms"),
        T(
            "{addr}好，{name}的«账单逾期»了，家里能不能先帮着结清？",
            role="emergency_contact",
            channel="sms",
        ),
        T(
            "您作为紧急联系人«有义务协助还款»，请于{time}前处理。",
            role="emergency_contact",
            channel="sms",
        ),
        T("房东您好，您的租客{name}«欠我们平台的钱»，见到请转告。", role="third_party", channel="sms"),
        T(
            "您好，请«督促{name}还款»，其在我司的欠款已逾期{days}天。",
            role="emergency_contact",
            channel="sms",
        ),
        T(
            "您好，联系不上{name}本人，只能请您«先帮他垫付»一下。",
            role="emergency_contact",
            channel="sms",
        ),
        T(
            "您好，我们是处理{name}个人账务的，«请您转告本人»账务需要尽快处理。",
            role="third_party|emergency_contact",
            channel="sms",
        ),
    ),
}

LAWFUL_TEMPLATES: tuple[T, ...] = (
    T("{title}您好，您尾号{card}的借款已逾期{days}天，应还{amount}。您可在{lender}App中还款。"),
    T("理解您近期可能遇到困难，如需延期或分期，可在App“困难帮扶”中申请，我们会在{wd}个工作日内答复。"),
    T("我们不会联系您的通讯录、家人或工作单位，仅与您本人沟通。您的账单已逾期{days}天，请您尽快安排还款。"),
    T("请勿通过{product}等其他平台借款来还本账单，以贷养贷会加重负担。如确有困难，请与我们协商分期。"),
    T("我们绝不会以公安、法院、仲裁委或征信中心的名义联系您，凡要求您转账到个人账户的均为诈骗。"),
    T("根据《征信业管理条例》第十五条，如您在{date}前仍未还款，我们将向征信机构报送逾期信息，特此事先告知。"),
    T("{title}您好，您提到{hardship}，我们已为您备注，可为您办理{months}个月延期，延期期间不另收费用。"),
    T("您的借款已逾期{days}天。如长期无法协商，我司可能依法向人民法院提起诉讼，您有权依法答辩并提交证据。"),
    T("我们不收取任何催收费、上门费或手续费，应还金额以App账单为准：{amount}。"),
    T("我们不会要求您卖房、卖车或动用养老金还款，请按实际能力与我们商定还款计划。"),
    T("您的{months}期分期计划已生效，首期{date}还款{amount}，不收取分期手续费。"),
    T("您已提出异议，核实期间我们暂停催收，结果将在{wd}个工作日内告知您。"),
    T("{title}您好，您的减免申请已通过：免除罚息{amount}，剩余本金按原计划归还即可。"),
    T("逾期不会导致拘留或坐牢，也不会影响子女上学，请勿轻信此类说法。我们希望与您协商还款。"),
    T("我们每天联系您不超过{n}次，且不在晚上10点至早上8点之间联系。如想更换联系时间，请告诉我们。"),
    T("您的个人信息不会被发布到任何群聊、朋友圈或短视频平台，请放心与我们沟通。"),
    T("我们不会用快递、中奖、退款等名义联系您，也不使用09、118开头的收费号码。"),
    T("{title}您好，没关系，先还一部分也可以，剩下的我们一起想办法。"),
    T("您说“{hardship}”，我们能理解，这个月的账单可以先暂缓，我们下月再与您联系。"),
    T("您的案件由我司自行处理，不会有外访人员上门，也不会有第三方联系您。"),
    T("您好，我们是{lender}贷后服务组。您的账单逾期{days}天，如您方便，可先还最低{amount}，剩余部分可以协商。"),
    T("听您说{hardship}，真的辛苦了。您先照顾好自己和家人，还款的事我们一起慢慢商量。"),
    T("我们的工作人员不会加您的私人微信，也不会让您扫码或转账到个人账户，请认准官方App还款。"),
    T("本公司不设置“限时减免”“最后几小时”之类的倒计时，协商通道长期开放，您可以慢慢考虑。"),
    T("您的逾期情况仅与您本人沟通，我们不会告知您的{kin}、同事或朋友。"),
    T("如有人自称“外访人员”或“我司法务”上门、打电话威胁您，请立即报警并向我们投诉。"),
    T("您的信用卡已逾期{days}天，我们可能委托持牌催收机构联系您，委托前会书面告知您机构名称。"),
    T("暂时不方便还款也请给我们回个消息，我们可以根据您的收入情况重新安排还款日。"),
    T("{title}您好 我这边是{lender}客服 您这个账单我们可以帮您申请延期 您看方便的话回个电话 "),
    T(
        "您好，我们是{lender}客服，想请您帮忙转告{name}联系我们，不需要您提供任何信息，谢谢。",
        role="emergency_contact",
        channel="sms",
        purpose="location",
    ),
    T("您之前说“{hardship}，不是不想还”，我们相信您。您可以先选一个每月压力小一点的方案，我们来帮您提交。"),
    T("您的逾期记录在还清后会按实际情况更新，征信记录不能付费删除，请勿相信“征信修复”类广告。"),
    T("我们只接受通过官方App或对公账户的还款，任何以个人名义收款的都不是我们的人。"),
    T("如您认为该笔借款并非本人申请，请及时提出异议，我们核实期间不会催收、不会报送征信。"),
    T("{title}您好，上次通话中我的同事语气不当，我们向您道歉，已作内部处理。您的账单可继续按协商方案归还。"),
    T("依照协商结果，您的剩余欠款{amount}分{months}期归还，不另收违约金，每期还款前三天我们会提醒您。"),
    T("我们不会以“爆通讯录”“通知单位”“上门”等方式催收，如有人这样说，请保留证据并向我们投诉。"),
    T("没有所谓“立案”“拘留”，借款逾期是民事问题。我们的诉讼前会另行书面通知，您届时有权答辩。"),
    T("您可以先告诉我们每月能还多少，哪怕金额不大，我们也愿意按这个来排计划。"),
    T("请不要为还款去找亲友借钱或办新的信用卡，这样只会让压力更大，我们可以延长期限。"),
    T(
        "您好，本函告知您的欠款余额为{amount}。如在{date}前仍无法还款，我们可能依法起诉，"
        "起诉前后您均可与我们协商，您也有权委托律师并依法答辩。",
        channel="letter|email",
    ),
    T(
        "主题：还款计划确认 您好，附件为您确认的{months}期还款计划，每期金额、日期均已列明，无任何额外费用。",
        channel="email",
    ),
    T("您的银行卡已绑定成功，下期将自动扣款。", channel="app_push", purpose="service"),
    T("您申请的借款合同副本已发送至您的邮箱，请注意查收。", channel="app_push|email", purpose="service"),
    T("您的还款提醒已改为仅短信方式，我们今后不会再给您打电话。", purpose="service"),
    T("感谢您按时还款，本期{amount}已入账，剩余{months}期。", purpose="reminder"),
    T(
        "您好，因联系不上{name}，想请您转告TA回个电话。如不方便转告，也请不必回复，我们不会再打扰。",
        role="emergency_contact",
        channel="sms",
        purpose="location",
    ),
    T("您的账单将于{date}到期，应还{amount}，请保持还款卡余额充足。", channel="sms|app_push", purpose="reminder"),
    T("还款成功！已入账{amount}，感谢您按时还款。", purpose="reminder"),
    T("您的借款已全部结清，结清证明可在App“我的”中下载。", purpose="reminder"),
    T("您设置的自动还款将于{date}扣款{amount}，如余额不足可手动还款，不产生额外费用。", purpose="reminder"),
    T("您的验证码为{code}，5分钟内有效。工作人员不会向您索要验证码。", channel="sms", purpose="service"),
    T("您的新卡已寄出，快递单号{tracking}，请本人签收后在App激活。", purpose="service"),
    T("诚邀您参与App内服务满意度问卷，约2分钟，不设奖品，不涉及银行卡信息。", channel="app_push", purpose="service"),
    T(
        "防诈骗提醒：自称“{authority}”来电说您“涉嫌洗钱”“要上征信黑名单”，要求转账到安全账户的，都是诈骗。",
        purpose="service",
    ),
    T(
        "您的投诉（工单号{ticket}）已处理完毕，如对结果不满意，可拨打12378向金融监管部门反映。",
        channel="sms|email",
        purpose="service",
    ),
    T("您的{month}月电子账单已生成，请在App查看。", channel="app_push|email", purpose="service"),
    T(
        "您好，我们有事需要联系{name}，暂时联系不上，麻烦您转告TA方便时回电。",
        role="emergency_contact",
        channel="sms",
        purpose="location",
    ),
    T(
        "您好，打扰了，请您让{name}给我们回个电话，此事与您无关，您无需做任何事情。",
        role="emergency_contact",
        channel="sms",
        purpose="location",
    ),
    T(
        "您好，我们想请{name}回电，如您不认识此人，请回复“不认识”，我们将不再联系您。",
        role="emergency_contact|third_party",
        channel="sms",
        purpose="location",
    ),
    T(
        "您好，您反馈的号码错误问题已处理，该号码已从我们的系统中删除，今后不会再联系您。",
        role="third_party|emergency_contact",
        channel="sms",
        purpose="service",
    ),
)


# --- assembling ------------------------------------------------------------------------
def _evade(rng: random.Random, phrase: str) -> str:
    """One evasion on a key phrase."""
    op = rng.choice(
        ("emoji", "zero_width", "separator", "traditional", "pinyin", "homophone", "homophone", "emoji_after")
    )
    if op == "homophone":
        changed = substitute(rng, phrase, HOMOPHONES)
        return changed if changed != phrase else pinyin_one(rng, phrase)
    if any(c.isascii() and c.isalpha() for c in phrase) and rng.random() < 0.3:
        return full_width(phrase)
    if op == "emoji":
        return between(phrase, lambda: rng.choice(EMOJI))
    if op == "zero_width":
        return between(phrase, lambda: rng.choice(ZERO_WIDTH))
    if op == "separator":
        sep = rng.choice(SEPARATORS)
        return between(phrase, lambda: sep)
    if op == "traditional":
        return traditional(phrase)
    if op == "pinyin":
        return pinyin_one(rng, phrase)
    return phrase + rng.choice(EMOJI)


def _pick(rng: random.Random, options: str) -> str:
    return rng.choice(options.split("|"))


def _unlawful(rng: random.Random, label: str, t: T) -> Draft:
    lender, hotline = rng.choice(LENDERS)
    slots = {**SLOTS, "lender": (lender,), "hotline": (hotline,)}
    role = _pick(rng, t.role)
    body = fill(rng, t.body, slots)
    body = apply_keys(body, lambda p: _evade(rng, p)) if rng.random() < EVADE_SHARE else strip_keys(body)
    if label != "disguised" and not body.startswith("【") and rng.random() < FRAME_SHARE:
        if rng.random() < COMPLETE_FRAME_SHARE:
            greeting = rng.choice(("您好，", "", "尊敬的客户，"))
            if role == "borrower" and rng.random() < BURY_SHARE:
                greeting += fill(rng, rng.choice(POLITE_OPENERS), slots)
            tail = fill(rng, rng.choice(OBJECTION), slots)
            body = f"【{lender}】{greeting}{body}{tail}"
        else:
            body = f"【{lender}】{body}"
    return Draft(
        text=tidy(body),
        lang="zh",
        label=label,
        role=role,
        jurisdiction="CN",
        channel=_pick(rng, t.channel),
        purpose=_pick(rng, t.purpose),
        origin=f"template:{SPLIT}.{label}.{UNLAWFUL[label].index(t)}",
    )


def _lawful(rng: random.Random, index: int, t: T) -> Draft:
    lender, hotline = rng.choice(LENDERS)
    slots = {**SLOTS, "lender": (lender,), "hotline": (hotline,)}
    body = strip_keys(fill(rng, t.body, slots))
    purpose = _pick(rng, t.purpose)
    tail = fill(rng, rng.choice(OBJECTION if purpose == "collection" else CONTACT), slots)
    if purpose == "location":
        tail = f"回电请拨{hotline}。"
    text = f"【{lender}】{body}{tail}"
    if rng.random() < TRADITIONAL_LAWFUL_SHARE:
        text = traditional(text)
    return Draft(
        text=tidy(text),
        lang="zh",
        label="lawful",
        role=_pick(rng, t.role),
        jurisdiction="CN",
        channel=_pick(rng, t.channel),
        purpose=purpose,
        origin=f"template:{SPLIT}.lawful.{index}",
    )


def generate() -> list[Draft]:
    """Chinese messages only: each intent's templates cycled to its count of distinct texts, then lawful ones."""
    rng = random.Random(SEED)  # nosec B311
    out: list[Draft] = []
    seen: set[str] = set()
    for label in (*INTENTS, "lawful"):
        pool = LAWFUL_TEMPLATES if label == "lawful" else UNLAWFUL[label]
        wanted = LAWFUL if label == "lawful" else UNLAWFUL_PER_INTENT
        made = 0
        for attempt in range(wanted * ATTEMPTS_PER_MESSAGE):
            if made == wanted:
                break
            i = attempt % len(pool)
            d = _lawful(rng, i, pool[i]) if label == "lawful" else _unlawful(rng, label, pool[i])
            if d.text not in seen:
                seen.add(d.text)
                out.append(d)
                made += 1
    return out
