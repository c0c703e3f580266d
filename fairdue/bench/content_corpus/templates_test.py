"""Generated part of the TEST split (frozen, held out): its own templates, vocabulary, evasion tables and seed.

Written before, and independently of, templates_dev.py: no template, filler
list or homophone table is shared with the dev generator; only the neutral
mechanics in generate.py are (filling slots, putting characters between
characters, full-width and traditional forms, pinyin). Do not tune the
content check on this split.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from fairdue.bench.content_corpus.generate import (
    CHANNELS,
    Draft,
    apply_keys,
    between,
    cycle_templates,
    fill,
    full_width,
    pinyin_one,
    strip_keys,
    substitute,
    tidy,
    traditional,
)

SEED = 7_2026_1207
UNLAWFUL_PER_INTENT_LANG = 32  # generated unlawful messages per intent and language
LAWFUL_PER_LANG = 220  # generated lawful messages per language
EVASION_SHARE_UNLAWFUL = 0.4  # unlawful messages whose key phrase is disguised
EVASION_SHARE_LAWFUL = 0.15  # lawful ones (assurances with an emoji or a traditional form)
FRAME_SHARE_UNLAWFUL = 0.55  # unlawful messages that carry the full sender/channel frame
ATTEMPTS_PER_MESSAGE_MAX = 40
THIRD_PARTY_ROLES = ("emergency_contact", "emergency_contact", "third_party")
THIRD_PARTY_PURPOSES = ("collection", "collection", "location")


@dataclass(frozen=True, slots=True)
class T:
    """A template: {slots}, one «key phrase» for evasions, and where it may be sent."""

    name: str
    text: str
    where: tuple[str, ...] = ("CN", "US", "UK")
    roles: tuple[str, ...] = ("borrower",)
    purposes: tuple[str, ...] = ("collection",)
    channels: tuple[str, ...] = CHANNELS
    frame: bool = True  # False: the message pretends to be something else, no lender frame


# --- vocabulary ------------------------------------------------------------------
SLOTS_ZH: dict[str, list[str]] = {
    "name": ["张伟", "李娜", "王磊", "刘芳", "陈杰", "赵丽", "黄涛", "林晓"],
    "amt": ["3,260.00", "12800", "586.40", "9,999", "1500", "27,345.18", "760"],
    "days": ["3", "7", "15", "32", "61", "90"],
    "tail": ["0425", "7781", "3306", "9012", "1188"],
    "date": ["12月15日", "12月20日", "1月5日", "本月25日"],
    "kid": ["儿子", "女儿", "孩子", "小孩"],
    "school": ["实验小学", "第三中学", "育才幼儿园", "光明小学"],
    "family": ["老婆", "老公", "父母", "老人", "孩子", "家里人"],
    "henchmen": ["我们的人", "外访的兄弟", "我们在你那边的同事", "几个兄弟"],
    "harm_act": ["泼油漆", "砸门", "堵门", "给你送花圈", "卸你一条胳膊", "让你躺着出来"],
    "when": ["今晚", "明天一早", "这周末", "下班路上"],
    "group": ["你手机通讯录里的每一个人", "你们家族微信群", "你公司的钉钉群", "你们小区业主群", "你大学同学群"],
    "video": ["抖音", "快手", "微博", "短视频平台"],
    "boss": ["你们领导", "你公司人事", "你单位老板", "你们主管"],
    "police": ["市公安局经侦支队", "派出所民警", "网警大队", "刑侦队"],
    "court": ["人民法院执行局", "区人民法院", "中级人民法院"],
    "regulator": ["中国人民银行征信中心", "国家金融监督管理总局", "银保监会", "互联网金融协会"],
    "crime": ["恶意透支", "信用卡诈骗", "合同诈骗", "非法占有"],
    "insult": ["老赖", "废物", "人渣", "不要脸的东西", "狗东西", "垃圾", "臭不要脸的"],
    "product": ["借呗", "微粒贷", "京东金条", "360借条", "美团借钱", "分期乐"],
    "asset": ["房子", "车", "手上的金首饰", "你那套婚房", "名下的铺面"],
    "courier": ["顺丰速运", "中通快递", "京东物流", "邮政EMS"],
    "prize": ["iPhone一台", "超市购物卡500元", "年度幸运大奖", "话费充值卡"],
    "rel": ["朋友", "同事", "亲戚", "同学", "家人"],
    "sender": ["安心贷", "恒信消费金融", "瑞丰小贷"],
}
SLOTS_EN: dict[str, list[str]] = {
    "amt": ["1,240.00", "386.15", "2,900", "75.60", "4,410.22", "615"],
    "days": ["5", "12", "30", "45", "67"],
    "tail": ["4417", "0092", "6630", "2801"],
    "date": ["December 18", "Jan 3", "the 25th", "Friday"],
    "kid": ["son", "daughter", "kids", "little girl", "boy"],
    "school": ["Lincoln Elementary", "Westfield Primary", "St Mary's", "the middle school on Oak Street"],
    "family": ["wife", "husband", "mother", "kids", "family"],
    "henchmen": ["our guys", "a couple of our associates", "our field team", "some people we know"],
    "harm_act": [
        "break a few things",
        "slash your tyres",
        "make sure you regret it",
        "put you in the hospital",
        "burn that car of yours",
    ],
    "when": ["tonight", "tomorrow morning", "this weekend", "on your way home"],
    "platform": ["TikTok", "Facebook", "Instagram", "your Facebook page"],
    "boss": ["your boss", "your manager", "HR at your work", "your employer"],
    "circle": ["your church group", "your neighbours", "your kid's school parents", "everyone in your contacts"],
    "police": ["the Sheriff's Office", "the police fraud unit", "the county police"],
    "court": ["the County Court", "the High Court", "the district court"],
    "crime": ["fraud", "theft by deception", "check fraud"],
    "insult": ["deadbeat", "loser", "scumbag", "lowlife", "worthless idiot", "pathetic leech"],
    "product": ["a payday loan", "a cash advance", "a new credit card", "a QuickCash loan", "a buy now pay later plan"],
    "asset": ["your car", "your house", "your jewellery", "your late dad's watch", "the motorbike"],
    "prize": ["a £500 shopping voucher", "a free holiday", "an iPad", "a cash prize"],
    "premium": ["0906 118 4420", "0871 230 5567", "0872 901 3344", "118 427", "0909 880 1212"],
    "rel": ["friend", "brother", "colleague", "cousin", "neighbour"],
    "sender": ["Fairline Credit", "Northgate Lending", "Albion Finance"],
}
# (first name, full name): one person per message, so a letter's salutation and its body agree.
PEOPLE_EN = [
    ("Alex", "Alex Smith"),
    ("Jordan", "Jordan Lee"),
    ("Priya", "Priya Shah"),
    ("Tom", "Tom Walker"),
    ("Nina", "Nina Brooks"),
    ("Omar", "Omar Haddad"),
]
SLOTS_BY_J: dict[str, dict[str, list[str]]] = {
    "CN": {"phone": ["400-820-1234"]},
    "US": {"cur": ["$"], "phone": ["1-800-555-0100", "(888) 555-0142"]},
    "UK": {"cur": ["£"], "phone": ["0800 048 1234", "0300 123 4567"]},
}

EMOJI = ["🙂", "🔥", "💀", "👉", "❗"]
HOMOPHONES_ZH: dict[str, list[str]] = {
    "通讯录": ["通汛录", "tong讯录", "通xun录", "TXL"],
    "坐牢": ["做牢", "zuo牢", "坐lao"],
    "拘留": ["ju留", "拘liu", "居留"],
    "警察": ["jing察", "井察"],
    "法院": ["法yuan", "fa院"],
    "老赖": ["老lai", "laolai", "老癞"],
    "废物": ["废wu", "fei物", "肺物"],
    "人渣": ["人zha", "仁渣"],
    "垃圾": ["辣鸡", "lj", "垃ji"],
    "曝光": ["暴光", "bao光", "曝guang"],
    "借呗": ["jie呗", "借bei"],
    "孩子": ["孩zi", "娃"],
    "征信": ["zheng信", "征xin"],
    "卖房": ["卖fang", "麦房"],
}
SUBSTITUTES_EN: dict[str, list[str]] = {
    "arrest": ["arr3st", "a-r-r-e-s-t", "ARRE$T"],
    "jail": ["j@il", "ja1l", "J A I L"],
    "deadbeat": ["d3adbeat", "dead-b8", "DB"],
    "loser": ["l0ser", "L-O-S-E-R", "lo$er"],
    "scumbag": ["scumb@g", "sc*mbag", "SB"],
    "police": ["p0lice", "po1ice"],
    "payday loan": ["payday l0an", "pay-day loan"],
    "kids": ["k1ds", "kidz"],
    "employer": ["emp1oyer", "employ3r"],
}


# --- templates ---------------------------------------------------------------------
TEMPLATES: dict[str, dict[str, list[T]]] = {
    "threat_harm": {
        "zh": [
            T("t_child_school", "{name}，«你{kid}在{school}上学»，几点放学我们都清楚，自己掂量。"),
            T("t_child_gate", "钱今天不到账，{when}«{kid}放学的时候我们的人在校门口等»。"),
            T("t_henchmen", "再拖下去，{henchmen}{when}就去你家«{harm_act}»，别怪我们没提醒。"),
            T("t_family_accident", "你不还，«你{family}出点什么意外»可别后悔。"),
            T("t_road", "{name}，«{when}出门小心点»，路上车多。欠的{amt}元赶紧处理。"),
            T("t_car", "你那辆车停在哪我们都知道，«哪天被划了烧了»别找我们。"),
            T("t_door_lock", "晚上睡觉«把门锁好»，我们知道你住几号楼。"),
            T("t_mixed", "我们已经 find 到你家地址了，«{when} we come 上门 收拾你»。"),
        ],
        "en": [
            T("t_child_school", "We know «your {kid} goes to {school}». Would be a shame if something happened."),
            T("t_child_pickup", "{first}, pay {cur}{amt} today. «We've seen who picks up your {kid}» after class."),
            T("t_henchmen", "If the money isn't in by {when}, «{henchmen} will {harm_act}»."),
            T("t_back", "«Watch your back» {when}, {first}. People who don't pay have accidents."),
            T("t_family", "Keep ignoring us and «your {family} will pay the price»."),
            T("t_house", "«Nice house you have» on that street. «It'd be a pity if it caught fire.»"),
            T("t_mixed", "{first}, «我们的人 will visit 你家 {when}» and it won't be friendly."),
        ],
    },
    "exposure": {
        "zh": [
            T("e_contacts", "今天不还款，我们就把你的欠款信息«群发给{group}»。"),
            T("e_video", "你的照片和身份证我们已经做成视频，«今晚发到{video}»，让大家看看你欠钱不还。"),
            T("e_boss", "明天«给{boss}打电话»，让全公司都知道你欠了{amt}元。"),
            T("e_poster", "我们会在«你家小区门口张贴欠款公告»，写上你的名字和房号。"),
            T("e_contacts_evasion", "你的«通讯录»已经导出，不还款就«爆通讯录»，一个一个打。"),
            T("e_mixed", "再不还就 «post 到你的朋友圈» 和 {video}，让所有人 see。"),
        ],
        "en": [
            T("e_platform", "Pay by {date} or «we post about your debt on {platform}» and tag your friends."),
            T("e_boss", "We will «call {boss}» and explain that you owe us {cur}{amt}."),
            T("e_circle", "Next step: «we let {circle} know» you don't pay what you owe."),
            T("e_list", "Your name and photo «will go on our public list of non-payers»."),
            T("e_contacts", "«Everyone in your phone contacts will get a text» saying you owe {cur}{amt}."),
            T("e_mixed", "{first}, we will «tell your 老板 and your 同事» about this debt."),
        ],
    },
    "false_authority": {
        "zh": [
            T("f_police", "【{police}】{name}，«你涉嫌{crime}»，请于24小时内联系办案民警，否则上门抓捕。"),
            T("f_court", "【{court}】«你的案件已立案»，明日执行人员将«上门查封»你名下财产。", frame=False),
            T("f_credit_centre", "【{regulator}】«你已被列入征信黑名单»，72小时内不处理将影响子女上学。", frame=False),
            T("f_detain", "再不还款，你将被«刑事拘留»并留下案底，子女政审都过不了。"),
            T("f_jail", "欠{amt}元不还就是犯罪，«准备坐牢吧»。"),
            T("f_warrant", "«逮捕令已经签发»，你现在主动还款还来得及。"),
            T("f_regulator_agent", "本通知由«{regulator}委托»发出：你的逾期已上报，拒不处理将被强制执行。"),
        ],
        "en": [
            T(
                "f_sheriff",
                "This is Officer Grant from {police}. «A warrant will be issued for your arrest» unless you pay.",
            ),
            T(
                "f_court_letter",
                "«NOTICE OF ENFORCEMENT — {court}». «Enforcement agents are authorised to attend» your home.",
                where=("UK",),
                channels=("letter", "email"),
                frame=False,
            ),
            T("f_crime", "Not paying is «{crime}». «We have reported you to the police»."),
            T("f_record", "Pay {cur}{amt} today or «you will have a criminal record»."),
            T("f_jail", "Ignore this and «you could go to jail»."),
            T(
                "f_regulator",
                "«The Financial Conduct Authority has instructed us» to recover this debt now.",
                where=("UK",),
            ),
            T(
                "f_bailiff",
                "«Bailiffs have been instructed» to remove goods from your address on {date}.",
                where=("UK",),
            ),
        ],
    },
    "insult": {
        "zh": [
            T("i_plain", "{name}你这个«{insult}»，借钱不还还有脸活着？"),
            T("i_poor", "像你这种«{insult}»活该一辈子穷。"),
            T("i_abbrev", "«SB»，赶紧把{amt}元还了。"),
            T("i_homophone", "«沙比»东西，电话都不敢接？"),
            T("i_nmsl", "不还钱«NMSL»，听懂了吗"),
            T("i_family", "你爸妈怎么生出你这种«废物»。"),
            T("i_mixed", "你就是个 «loser 老赖»，赶紧还钱。"),
        ],
        "en": [
            T("i_plain", "Listen, you «{insult}», pay what you owe."),
            T("i_abbrev", "Pay up, «POS». Nobody believes your excuses."),
            T("i_mock", "«You pathetic excuse for a human being», even your kids must be ashamed."),
            T("i_stfu", "«STFU» with the sob stories and send {cur}{amt}."),
            T("i_mixed", "{first}, «you 废物», pay the {cur}{amt} today."),
        ],
    },
    "new_borrowing": {
        "zh": [
            T("n_product", "你可以«去{product}借一笔»，先把我们的{amt}元还上。"),
            T("n_card", "没钱就«办张信用卡套现»还款，这还用我教？"),
            T("n_platform", "«找别的网贷平台借钱»还我们，拆东墙补西墙总会吧。"),
            T("n_recommend", "我们可以给你«推荐一个秒下款的平台»，借出来直接还。"),
            T("n_cycle", "«以贷养贷»也要今天还清。"),
            T("n_mixed", "你 «去 {product} borrow 一点» 先还了。"),
        ],
        "en": [
            T("n_product", "Why not «take out {product}» and clear the {cur}{amt} today?"),
            T("n_card", "«Put it on a credit card» if you have to, just pay it."),
            T("n_lender", "«Borrow from another lender» and pay us first — we get paid before anyone else."),
            T("n_overdraft", "«Extend your overdraft» and transfer {cur}{amt} today.", where=("UK",)),
            T("n_refer", "We can «refer you to a lender who approves in minutes» so you can pay us."),
        ],
    },
    "pressure": {
        "zh": [
            T("p_sell", "{name}，«把{asset}卖了»还钱，别跟我们谈困难。"),
            T("p_mortgage", "«拿{asset}去抵押»，今天把{amt}元全部还清。"),
            T("p_pawn", "«手上值钱的东西赶紧拿去当了»，还不上就别想过年。"),
            T("p_deadline", "«最后两小时»，必须一次性全额还清，«过时不候»。"),
            T("p_parents", "«让你父母拿养老钱出来»替你还。"),
            T("p_blood", "«卖血卖肾也得还»，这是你欠的。"),
        ],
        "en": [
            T("p_sell", "«Sell {asset}» and pay the full {cur}{amt} this week."),
            T("p_remortgage", "«Remortgage your home» to clear this balance in one payment.", where=("UK", "US")),
            T("p_equity", "«Release equity from your property» and settle in full.", where=("UK",)),
            T("p_minutes", "«You have 60 minutes» to pay in full or «this offer is gone forever»."),
            T("p_pension", "«Cash in your pension» — it's the only way to pay this off today.", where=("UK",)),
            T("p_pawn", "«Pawn {asset}» if that's what it takes."),
        ],
    },
    "disguised": {
        "zh": [
            T("d_parcel", "【{courier}】«您有一个包裹因地址异常无法派送»，请回电{phone}核实。", frame=False),
            T("d_prize", "恭喜您«获得{prize}»！请致电{phone}领取，过期作废。", frame=False),
            T("d_survey", "您好，这里是«客户满意度回访»，请您回电{phone}完成问卷。", frame=False),
            T("d_refund", "«您有一笔退款待领取»，请回电{phone}办理。", frame=False),
            T("d_install", "«您预约的上门安装服务需要确认时间»，请联系{phone}。", frame=False),
        ],
        "en": [
            T(
                "d_parcel",
                "«Parcel delivery notice»: we tried to deliver a package. Call {premium} to rearrange.",
                where=("UK",),
                frame=False,
            ),
            T(
                "d_prize",
                "Congratulations! «You have won {prize}». Call {premium} to claim.",
                where=("UK",),
                frame=False,
            ),
            T("d_survey", "«Quick customer survey»: call {phone} to answer 3 questions.", frame=False),
            T("d_premium", "To discuss your account «call our payments team on {premium}».", where=("UK",)),
            T("d_premium_plain", "Ring «{premium}» today about the {cur}{amt} you owe.", where=("UK",)),
        ],
    },
    "third_party": {
        "zh": [
            T("tp_disclose", "您好，您的{rel}{name}在我司«借款{amt}元已逾期{days}天»，请您督促其还款。"),
            T("tp_pay", "作为{name}的紧急联系人，«请您代为偿还»{amt}元。"),
            T("tp_pass", "麻烦您«转告{name}»，«让其今天把钱还了»。"),
            T("tp_duty", "{name}欠款不还，«您作为其{rel}有责任帮忙处理»。"),
            T("tp_reminder", "请您«提醒{name}尽快处理在我平台的账单»。"),
            T("tp_help", "{name}联系不上，«您能不能先帮忙垫上»？"),
        ],
        "en": [
            T(
                "tp_disclose",
                "Hi, you're listed as a reference for {name}. «{first} owes {cur}{amt}» and is {days} days late.",
            ),
            T("tp_pass", "Could you «tell {first} the balance must be paid by {date}»?"),
            T("tp_cover", "If {first} can't pay, «maybe you could help cover it»."),
            T("tp_behind", "Your {rel} {name} «is behind on a loan with us». Please have a word."),
            T("tp_settle", "«Please make sure {first} settles the account» this week."),
        ],
    },
    "lawful": {
        "zh": [
            T("l_remind", "{name}您好，您尾号{tail}的账单{amt}元将于{date}到期，请按时还款。", purposes=("reminder",)),
            T("l_overdue", "{name}您好，您尾号{tail}的账单已逾期{days}天，应还{amt}元，请尽快还款。"),
            T("l_plan", "{name}您好，如您近期还款困难，可申请延期或个性化分期，我们将在3个工作日内答复。"),
            T("l_receipt", "您于{date}还款{amt}元已入账，感谢您的支持。", purposes=("service",)),
            T("l_no_contacts", "我们«不会联系您的通讯录»、家人或单位，请放心与我们沟通还款方案。"),
            T("l_no_police", "我们«从不以公安、法院名义»联系您，如遇此类来电请警惕诈骗。"),
            T("l_no_borrow", "«请勿以贷养贷»，不要通过其他平台借款还款，可与我们协商分期。"),
            T("l_no_fee", "我们«不收取任何额外催收费用»，请只通过官方渠道还款。"),
            T("l_legal", "如您长期未还款，我司可能依法向人民法院提起诉讼，起诉前会书面通知您。"),
            T("l_no_expose", "您的信息仅用于本笔借款服务，我们«不会在朋友圈或短视频平台公开»任何内容。"),
            T(
                "l_location",
                "您好，我们有事需要与{name}取得联系，麻烦请其回电{phone}，谢谢。",
                roles=("emergency_contact",),
                purposes=("location",),
                channels=("sms", "app_push"),
            ),
            T("l_update", "您的还款计划已生效，下期应还{amt}元，可在App“我的账单”中查看。", purposes=("service",)),
        ],
        "en": [
            T(
                "l_remind",
                "{first}, a reminder that your payment of {cur}{amt} is due on {date}.",
                purposes=("reminder",),
            ),
            T("l_overdue", "{first}, your account ending {tail} is {days} days past due. Balance: {cur}{amt}."),
            T("l_plan", "If you are struggling, we can set up a payment plan that fits your budget."),
            T("l_receipt", "Thanks {first}, we received your payment of {cur}{amt}.", purposes=("service",)),
            T("l_no_contact", "We «will never contact your employer, family or friends» about this account."),
            T("l_no_police", "We «never contact you pretending to be the police or a court»."),
            T(
                "l_no_borrow",
                "Please «don't take out a payday loan» or borrow elsewhere to pay us — talk to us instead.",
            ),
            T("l_no_fee", "We «charge no collection fee» on top of your balance."),
            T("l_no_arrest", "You cannot be arrested for this debt and «we will never threaten arrest»."),
            T(
                "l_legal_us",
                "If the balance stays unpaid, we may consider a lawsuit. We have not decided to sue.",
                where=("US",),
            ),
            T(
                "l_legal_uk",
                "If we cannot agree a plan, we may apply for a County Court Judgment. We will write first.",
                where=("UK",),
            ),
            T(
                "l_advice",
                "Free, confidential debt advice is available from MoneyHelper on 0800 138 7777.",
                where=("UK",),
            ),
            T(
                "l_location",
                "This is Dana Ruiz. I'm trying to confirm contact details for {name}. Please ask {first} to call me.",
                where=("US",),
                roles=("emergency_contact", "third_party"),
                purposes=("location",),
                channels=("sms", "email"),
            ),
        ],
    },
}


# --- framing ---------------------------------------------------------------------
def _frame_zh(rng: random.Random, t: T, body: str, purpose: str, complete: bool) -> str:
    sender = "恒信服务中心" if purpose == "location" else rng.choice(SLOTS_ZH["sender"])
    if not complete:
        return f"【{sender}】{body}" if rng.random() < 0.5 else body
    channel = rng.choice(["请通过官方App或拨打客服热线400-820-1234办理。", "客服热线400-820-1234。"])
    parts = [f"【{sender}】", body, channel]
    if purpose == "collection":
        parts.append(rng.choice(["如有异议请致电400-820-1234。", "如对账单有异议，可在App内提交申诉。"]))
    if purpose == "location":
        parts = [f"【{sender}】", body, "如您不认识此人，回复TD退订。"]
    return "".join(parts)


def _frame_en(rng: random.Random, ctx: tuple[str, str, str, str], body: str, first: str, complete: bool) -> str:
    jurisdiction, channel, purpose, role = ctx
    sender = rng.choice(SLOTS_EN["sender"])
    phone = rng.choice(SLOTS_BY_J[jurisdiction]["phone"])
    if purpose == "location":  # a location message names no lender (12 CFR 1006.10(b)(1))
        return f"{body} My number is {phone}. Reply STOP to opt out."
    if not complete:
        return f"{sender}: {body}" if rng.random() < 0.5 else body
    tail = f" Pay in the {sender} app or call {phone}."
    if purpose == "service" or role != "borrower":
        tail = f" Questions? Call {phone}."
    if jurisdiction == "US" and channel in ("sms", "email") and purpose != "service":
        tail += " Reply STOP to opt out."
    if channel in ("letter", "email"):
        salutation = f"Dear {first}," if role == "borrower" else "Dear Sir or Madam,"
        return f"{sender}\n\n{salutation}\n\n{body}{tail}\n\nRegards, {sender}"
    return f"{sender}: {body}{tail}"


# --- evasions ----------------------------------------------------------------------
def _evade_zh(rng: random.Random, phrase: str, lawful: bool) -> str:
    ways = ["emoji", "zero_width", "spaces", "traditional", "pinyin", "homophone", "homophone"]
    how = rng.choice(["traditional", "zero_width", "homophone"] if lawful else ways)
    if how == "emoji":
        return between(phrase, lambda: rng.choice(EMOJI))
    if how == "zero_width":
        return between(phrase, lambda: "\u200b")
    if how == "spaces":
        return between(phrase, lambda: rng.choice([" ", "·", "-"]))
    if how == "traditional":
        return traditional(phrase)
    if how == "pinyin":
        return pinyin_one(rng, phrase)
    swapped = substitute(rng, phrase, HOMOPHONES_ZH)
    return swapped if swapped != phrase else between(phrase, lambda: "\u200b")


def _evade_en(rng: random.Random, phrase: str, lawful: bool) -> str:
    ways = ["full_width", "zero_width", "dots", "substitute", "substitute", "emoji"]
    how = rng.choice(["full_width", "zero_width"] if lawful else ways)
    if how == "full_width":
        return full_width(phrase)
    if how == "zero_width":
        return between(phrase, lambda: "\u200b")
    if how == "dots":
        return between(phrase, lambda: ".")
    if how == "emoji":
        return between(phrase, lambda: rng.choice(EMOJI)) if len(phrase) < 30 else phrase + " " + EMOJI[0]
    swapped = substitute(rng, phrase, SUBSTITUTES_EN)
    return swapped if swapped != phrase else full_width(phrase)


# --- generation ----------------------------------------------------------------------
def _context(rng: random.Random, label: str, t: T, lang: str) -> tuple[str, str, str, str]:
    """(jurisdiction, channel, purpose, role) for one message of template t."""
    jurisdiction = "CN" if lang == "zh" else rng.choice([j for j in t.where if j != "CN"] or ["US"])
    channel = rng.choice(t.channels)
    role = rng.choice(THIRD_PARTY_ROLES if label == "third_party" else t.roles)
    purpose = rng.choice(THIRD_PARTY_PURPOSES if label == "third_party" else t.purposes)
    return jurisdiction, channel, purpose, role


def _one(rng: random.Random, label: str, lang: str, t: T) -> Draft:
    ctx = _context(rng, label, t, lang)
    jurisdiction, channel, purpose, role = ctx
    first, full = rng.choice(PEOPLE_EN)
    slots = {**(SLOTS_ZH if lang == "zh" else SLOTS_EN), **SLOTS_BY_J[jurisdiction], "first": [first], "name": [full]}
    if lang == "zh":
        slots["name"] = SLOTS_ZH["name"]
    body = fill(rng, t.text, slots)
    lawful = label == "lawful"
    if rng.random() < (EVASION_SHARE_LAWFUL if lawful else EVASION_SHARE_UNLAWFUL):
        body = apply_keys(body, lambda p: (_evade_zh if lang == "zh" else _evade_en)(rng, p, lawful))
    else:
        body = strip_keys(body)
    if t.frame:
        complete = lawful or rng.random() < FRAME_SHARE_UNLAWFUL
        if lang == "zh":
            body = _frame_zh(rng, t, body, purpose, complete)
        else:
            body = _frame_en(rng, ctx, body, first, complete)
    return Draft(tidy(body), lang, label, role, jurisdiction, channel, purpose, f"template:test.{label}.{t.name}")


def generate() -> list[Draft]:
    """The generated messages of the test split, in a fixed order (seeded)."""
    return cycle_templates(
        random.Random(SEED),  # nosec B311
        TEMPLATES,
        _one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=ATTEMPTS_PER_MESSAGE_MAX,
    )
