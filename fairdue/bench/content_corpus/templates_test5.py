"""Generated messages of the test5 split (the fifth held-out split, measured once; written last).

Its own templates, fillers, lender names, homophone/abbreviation tables, emoji, registers and frames, and its own
seed. Written from the law and from the patterns of public reporting of abusive collection, without opening the
content check (fairdue/policy/) or any other split's messages, hand file or template module; only the neutral
mechanics of generate.py are shared. A message is labelled by its template; each template carries one intent.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from fairdue.bench.content_corpus.generate import (
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

SEED = 6420261207
UNLAWFUL_PER_INTENT_LANG = 22
LAWFUL_PER_LANG = 130
ATTEMPTS_PER_MESSAGE_MAX = 40
EVADE_SHARE = 0.38  # unlawful messages whose key phrase gets one evasion
FRAME_SHARE = 0.85  # plain-register unlawful messages (never disguised, nor forged headers) framed
FRAME_COMPLETE_SHARE = 0.55  # of those, complete (channel and objection route / opt-out)
TRADITIONAL_LAWFUL_SHARE = 0.10  # lawful zh messages written wholly in traditional characters


class T(NamedTuple):
    """One template: its name, body (with «key phrase» and {slots}), recipient, purpose, where it may be sent."""

    name: str
    body: str
    role: str = "borrower"
    purpose: str = "collection"
    where: str = "*"  # en: US, UK or * (either); zh: always CN
    frame: bool = True  # may carry a lender frame (false for pretexts and forged-authority headers)


# --- senders -------------------------------------------------------------------------------------------------
ZH_LENDERS = ("竹影借", "柿子花", "橘灯钱包", "青蔓贷", "海棠消费金融", "清溪银行", "鸿雁小贷", "麦田分期", "雪松借钱")
COLLECTORS = {"US": "Tidewater Collections", "UK": "Greystone Receivables"}
COLLECTOR_ONLY = ("collector_notice", "not_bailiffs")
ZH_PHONES = (
    "400-528-1730",
    "400-613-9042",
    "400-775-2816",
    "400-902-4457",
    "400-186-3309",
    "400-337-6021",
    "400-640-8175",
    "400-251-9934",
    "400-870-3362",
)
US_LENDERS = (
    "Wrenfield Credit",
    "Larch Lending",
    "Halcyon Bank",
    "Pebblebrook Finance",
    "Marigold Card Services",
    "Tidewater Collections",
)
UK_LENDERS = ("Sterling Oak Loans", "Quayside Money", "Hartwell Bank", "Greystone Receivables", "Ravensworth Finance")
US_PHONES = ("888-614-2093", "877-350-7718", "866-902-4415", "855-238-6640", "844-771-0392", "833-506-2187")
UK_PHONES = ("0330 912 4406", "0345 268 1937", "0333 405 7721", "0800 731 5588", "0345 880 2164")

# --- fillers -------------------------------------------------------------------------------------------------
ZH_SLOTS: dict[str, tuple[str, ...]] = {
    "name": ("周晓峰", "韩雪", "蒋立伟", "曹敏", "潘志强", "谢婉清", "彭宇航", "冯丽娟", "宋佳怡", "邓一鸣"),
    "surname": ("周", "钱", "孙", "冯", "蒋", "韩", "曹", "彭", "潘", "谢"),
    "amount": ("1,286.50元", "3,940元", "768元", "12,050.80元", "5,600元", "2,199元", "437.20元", "8,815元"),
    "amount2": ("512.30元", "1,040元", "2,688.88元", "306元", "4,100元"),
    "days": ("8", "17", "26", "35", "48", "63", "91"),
    "months": ("3", "6", "9", "12", "18"),
    "day": ("5", "10", "15", "20", "25"),
    "date": ("12月9日", "12月16日", "12月28日", "1月3日", "1月12日"),
    "code": ("305917", "664208", "871432", "129066", "540381"),
    "child_place": ("阳光幼儿园", "育才小学", "第三实验小学", "滨江中学", "少年宫舞蹈班", "新华路小学"),
    "place": ("菜市场门口", "地铁站B口", "小区东门", "公司地下车库", "健身房楼下", "夜市那条街"),
    "relative": ("老母亲", "媳妇", "闺女", "儿子", "老丈人", "奶奶"),
    "group": ("业主群", "家长群", "同学群", "公司大群", "家族群", "老乡群", "广场舞群"),
    "platform": ("抖音", "快手", "微博", "小红书", "视频号", "B站"),
    "product": ("借呗", "微粒贷", "京东金条", "美团借钱", "分期乐", "安逸花", "度小满"),
    "asset": ("车", "房子", "金镯子", "摩托车", "手表", "店面", "电脑"),
    "car": ("白色大众", "黑色本田", "红色电动车", "银色丰田"),
    "authority": ("市公安局经侦支队", "区人民法院执行局", "金融监管分局", "市人民检察院", "区公安分局"),
    "courier": ("速运快递", "同城急送", "邮政EMS", "驿站通知"),
    "prize": ("一台扫地机器人", "五百元购物卡", "一部新款手机", "两张电影票"),
    "scam_quote": ("再不还钱就去你单位", "你已经被公安立案", "借一笔新的先还上", "快递到付请回电"),
    "borrower_quote": ("是不是要告诉我家里人", "你们会不会去我公司", "我是不是要坐牢", "要不我把车卖了"),
}

EN_SLOTS: dict[str, tuple[str, ...]] = {
    "fname": ("Kyle", "Brianna", "Derek", "Tasha", "Owen", "Nadia", "Gareth", "Fiona", "Marco", "Leah"),
    "fname2": ("Briggs", "Dalton", "Mercer", "Holloway", "Pike"),
    "child": ("your boy", "your daughter", "your youngest", "the twins"),
    "days": ("9", "16", "23", "31", "47", "62"),
    "months": ("3", "4", "6", "9", "12"),
    "minutes": ("15", "20", "30", "45", "90"),
    "code": ("402871", "319564", "770213", "586120", "947301"),
    "car": ("Camry", "pickup", "Golf", "Corsa", "silver SUV"),
    "asset": ("car", "house", "motorbike", "jewellery", "watch", "boat"),
    "prize": ("a cruise for two", "a $500 gift card", "a new iPad", "a spa weekend"),
    "rel": ("mother", "brother", "flatmate", "colleague", "landlord", "aunt"),
    "subject": ("Re: your file", "Important", "Account update", "Urgent — read today", "Following up"),
}
US_SLOTS: dict[str, tuple[str, ...]] = {
    "amount": ("$412.75", "$1,860.00", "$2,330.10", "$95.00", "$5,210.44", "$688.00"),
    "amount2": ("$120.00", "$1,045.60", "$310.25", "$2,004.00"),
    "child_place": ("Jefferson Middle", "Maple Grove Elementary", "Little Sprouts daycare", "Lincoln High"),
    "place": ("the Kroger lot", "the gas station on 3rd", "your gym's parking deck", "the lot behind your office"),
    "group": ("PTA group chat", "church Facebook page", "HOA forum", "office Slack", "Nextdoor feed"),
    "employer": ("Walgreens", "the hospital", "the school district", "the warehouse", "your office"),
    "product": ("payday loan", "title loan", "cash advance app", "credit card cash advance", "401(k) loan"),
    "court": ("DISTRICT COURT", "SUPERIOR COURT OF THE COUNTY", "COUNTY CIVIL DIVISION"),
    "agency": ("county sheriff's office", "state attorney general's office", "FBI", "police department"),
    "premium": ("1-900-555-0187", "1-900-420-3318"),
    "phone": US_PHONES,
    "date": ("Dec 14", "Dec 22", "Jan 2", "Jan 9"),
    "fee": ("$50", "$75", "$120"),
}
UK_SLOTS: dict[str, tuple[str, ...]] = {
    "amount": ("£318.40", "£1,125.00", "£2,090.55", "£74.00", "£640.00", "£3,410.20"),
    "amount2": ("£88.00", "£502.30", "£1,240.00", "£36.50"),
    "child_place": ("St Anne's Primary", "Hillcrest Academy", "the Tiny Steps nursery", "Moorside Juniors"),
    "place": ("the Co-op car park", "the bus stop on Mill Lane", "Tesco Extra", "the station car park"),
    "group": ("parish WhatsApp", "school mums' group", "works canteen noticeboard", "street's Facebook group"),
    "employer": ("the council", "the depot", "Greggs", "the surgery", "your office"),
    "product": ("payday loan", "guarantor loan", "logbook loan", "doorstep loan", "overdraft extension"),
    "court": ("HIGH COURT ENFORCEMENT OFFICE", "COUNTY COURT", "HM COURTS ENFORCEMENT UNIT"),
    "agency": ("Metropolitan Police", "National Crime Agency", "local CID", "HMRC"),
    "premium": ("0906 431 2207", "0871 664 0193", "0873 210 4456", "118 506", "0909 302 7711", "0872 118 4034"),
    "phone": UK_PHONES,
    "date": ("14 December", "22 December", "2 January", "9 January"),
    "fee": ("£40", "£60", "£95"),
}

# --- evasion vocabulary --------------------------------------------------------------------------------------
ZH_SPELLINGS: dict[str, tuple[str, ...]] = {
    "通讯录": ("通讯碌", "桶讯录", "tong讯录"),
    "立案": ("立an", "粒案", "li案"),
    "坐牢": ("坐劳", "zuo劳", "蹲大劳"),
    "报案": ("报an", "抱案"),
    "公安": ("公鞍", "gong鞍"),
    "冻结": ("冻jie", "洞结"),
    "征信": ("争信", "zheng信"),
    "失信": ("失xin", "湿信"),
    "检察院": ("检查院", "jian察院"),
    "开庭": ("开ting", "开停"),
    "废物": ("费勿", "fei物", "废w"),
    "老赖": ("老籁", "lao赖", "佬赖"),
    "脑子有病": ("脑子有饼", "nao子有病"),
    "垃圾": ("垃吉", "la圾", "LJ"),
    "不要脸": ("不要lian", "不腰脸", "bu要脸"),
    "狗东西": ("苟东西", "gou东西"),
    "丢你爸妈": ("丢你爸ma", "丢你把妈"),
    "借一笔": ("接一笔", "jie一笔"),
    "借新还旧": ("借新还jiu", "接新还旧"),
    "取现": ("取xian", "娶现"),
    "口子": ("扣子", "kou子"),
    "平台": ("平tai", "坪台"),
    "卖了": ("麦了", "mai了"),
    "当铺": ("当pu", "挡铺"),
    "抵押": ("低押", "di押"),
    "违约金": ("违yue金", "违约斤"),
    "养老钱": ("养lao钱", "氧老钱"),
    "发到": ("fa到", "髮到"),
    "领导": ("ling导", "领岛"),
    "朋友圈": ("朋友q", "碰友圈", "pyq"),
    "欠条": ("欠tiao", "芡条"),
    "截图": ("截tu", "节图"),
    "孩子": ("孩几", "hai子"),
    "路上": ("lu上", "路尚"),
    "一家老小": ("一家老xiao", "一嫁老小"),
    "下手": ("xia手", "下首"),
    "包裹": ("包guo", "苞裹"),
    "抽中": ("抽zhong", "筹中"),
    "欠款": ("欠kuan", "芡款"),
    "还钱": ("还qian", "环钱"),
    "代还": ("代huan", "带还"),
}
EN_SPELLINGS: dict[str, tuple[str, ...]] = {
    "arrest": ("arr3st", "arrezt", "arre$t"),
    "police": ("p0lice", "poliz", "po-lice"),
    "jail": ("j4il", "jai1", "jale"),
    "warrant": ("warr4nt", "wurrant"),
    "criminal": ("crim1nal", "kriminal"),
    "sheriff": ("sh3riff", "sherif"),
    "investigation": ("investigati0n", "invest1gation"),
    "seize": ("s3ize", "seeze"),
    "deadbeat": ("dead-b8", "dedbeat"),
    "loser": ("looser", "l0s3r"),
    "idiot": ("idi0t", "idyot"),
    "scum": ("sc_m", "skum"),
    "pathetic": ("pathet1c", "pafetic"),
    "cheat": ("ch3at", "cheet"),
    "muppet": ("mupp3t", "muppit"),
    "rat": ("r@t", "ratt"),
    "Facebook": ("Fbook", "Faceb00k"),
    "boss": ("b0ss", "bo$$"),
    "contact": ("c0ntact", "kontact"),
    "post": ("p0st", "poast"),
    "payday": ("pay-day", "paydai"),
    "advance": ("adv4nce", "advanse"),
    "loan": ("l0an", "lone"),
    "card": ("c4rd", "kard"),
    "overdraft": ("0verdraft", "ovrdraft"),
    "sell": ("se11", "$ell"),
    "pawn": ("p4wn", "paun"),
    "remortgage": ("re-mortg4ge", "remorgage"),
    "midnight": ("m1dnight", "12am"),
    "pension": ("p3nsion", "penshun"),
    "family": ("fam1ly", "fambly"),
    "safe": ("s4fe", "$afe"),
    "owes": ("0wes", "ows"),
    "won": ("w0n", "wonn"),
    "refund": ("r3fund", "refun"),
    "prize": ("pr1ze", "prise"),
}
ZH_SEPARATORS = ("\u200b", "\u2063", "\u200c", " ", "·", "丶", "-")
EN_SEPARATORS = (".", "-", "_", " ", "\u200b", "\u2063")
EMOJI = ("🍋", "🧊", "🎈", "🪁", "🥢", "🌵", "🫧", "🪴")
EMOJI_AFTER = ("👀", "🙂", "😌", "✌️", "🫠", "⏰")

# --- templates -------------------------------------------------------------------------------------------------
EC, TP = "emergency_contact", "third_party"

ZH: dict[str, list[T]] = {
    "threat_harm": [
        T("daily_route", "{name}，你{relative}每天几点出门我们都清楚，«路上出点什么事»可别怪我们没提醒。"),
        T("school_walk", "听说你孩子在{child_place}上学？«放学路上多注意点»，最近外面不太平。今天把{amount}还了。"),
        T("car_glass", "你那辆{car}停在{place}挺显眼的，«哪天玻璃碎了轮胎瘪了»也正常，你说是吧？"),
        T("door_wait", "今晚我们几个兄弟去你家门口«等你回来»，钱准备好，别让大家白跑。"),
        T("family_peace", "再这么拖下去，«你一家老小都别想安生»。"),
        T("heavy_hands", "我们外访的同事«下手没轻没重»的，见不见面你自己想清楚。"),
        T("know_address", "兄弟别逼我们，«你家住哪我们都知道»，see you tonight。"),
        T("leg_pledge", "还不上就«拿条腿来抵»，自己选。"),
    ],
    "exposure": [
        T("group_post", "今晚八点前不还，«你的欠款信息就发到{group}»，群里的人都会看到。"),
        T("contacts_all", "已经给你«通讯录里所有人»编好了短信，一键发送，你自己看着办。"),
        T("id_platform", "你的照片和身份证正反面«准备发到{platform}上»，配上你欠的{amount}。"),
        T("boss_call", "明天上午我们会«打电话给你们单位领导»，让全公司都知道你欠钱不还。"),
        T("village", "«给你们全村人发你的欠款截图»，让你爸妈出门都抬不起头。"),
        T("pin_iou", "再不回电，«朋友圈置顶你的欠条»，挂三天。"),
        T("relative_tell", "你{relative}的微信我已经加上了，«把你的借款记录发过去给她看看»。"),
        T("case_group", "不还钱就«把你的case发到{group}»，everyone will know。"),
    ],
    "false_authority": [
        T(
            "header_case",
            "【{authority}】{name}：你涉嫌恶意拖欠网贷，«已被立案调查»，请于48小时内到案说明。",
            frame=False,
        ),
        T("report_fraud", "我们已经«向公安机关报案»，你这属于诈骗，等着民警上门吧。"),
        T("jail_days", "逾期超过{days}天就«要坐牢»，你自己掂量掂量。"),
        T("summons", "【法院传票】{name}，你因借款纠纷被起诉，«明日上午开庭»，缺席将被拘传。", frame=False),
        T("freeze", "平台已申请«冻结你名下所有银行卡»，法院今天下午就执行。"),
        T("blacklist", "你的信息已经«上报征信中心失信名单»，全家都坐不了高铁。"),
        T("procuratorate", "我是{authority}的工作人员，«你的案子已经移交检察院»，现在配合还款还能从轻。"),
        T("police_come", "你已经被列为«失信被执行人»了，police会直接来找你。"),
    ],
    "insult": [
        T("waste", "{name}你个«废物»，这点钱都还不上。"),
        T("deadbeat_forever", "«老赖»就是老赖，一辈子都改不了。"),
        T("sick_head", "你是不是«脑子有病»？打你电话一直不接。"),
        T("trash_poor", "像你这种«垃圾»，活该一辈子穷。"),
        T("shameless", "«不要脸»的东西，借钱的时候可不是这个态度。"),
        T("shame_parents", "真是«丢你爸妈的脸»，这么大个人了还赖账。"),
        T("dog_thing", "«狗东西»，赶紧把{amount}还了。"),
        T("loser_mix", "你这个«loser»，连{amount}都拿不出来？"),
    ],
    "new_borrowing": [
        T("product_borrow", "没钱就去«{product}上借一笔»，先把我们这边还上。"),
        T("apply_transfer", "你试试«在{product}申请一下»，额度下来直接转给我们。"),
        T("new_outlet", "我这有个«新口子»，当天放款，借出来把逾期清了。"),
        T("other_platform", "«找别的平台借点»周转一下，先把窟窿补上。"),
        T("card_cash", "信用卡«取现出来»还我们，利息以后再慢慢还。"),
        T("relative_id", "«用你{relative}的身份证借一笔»，很快就能下款。"),
        T("roll_over", "«借新还旧»很正常，大家都这么做，你也别死扛。"),
        T("cash_out_mix", "去«{product}套个现»，then pay us today。"),
    ],
    "pressure": [
        T("midnight_triple", "«今晚12点前不还清»，明天起罚息翻三倍。"),
        T("sell_asset", "你那{asset}«卖了不就有钱了»？今天就去办。"),
        T("last_hour", "«最后1小时»！过时系统自动加收违约金{amount}。"),
        T("pawn_asset", "把{asset}«拿去当铺当了»，今天必须凑齐。"),
        T("only_chance", "«今天是唯一的机会»，过了今天不再接受任何协商。"),
        T("mortgage_house", "你的«房子抵押一下»就有钱了，别再拖。"),
        T("daily_fee", "«每拖一天多收200元手续费»，你自己算算。"),
        T("pension_out", "让你{relative}«把养老钱取出来»，今天下午之前还清。"),
    ],
    "disguised": [
        T("parcel_cod", "【{courier}】您有一件«到付包裹»待签收，请回电{phone}核实身份证号及借款账户。", frame=False),
        T("prize_settle", "恭喜您在周年庆活动中«抽中{prize}»！领取前请先结清您在{lender}的欠款。", frame=False),
        T(
            "survey_pay",
            "您好，我们在做«市场问卷调查»：请问您现在在哪里上班？每月几号发工资？打算什么时候还{lender}的款？",
            frame=False,
        ),
        T("claim_refund", "您有一笔«保险理赔退款»{amount}待领取，请回电{phone}并提供借款平台账号。", frame=False),
        T(
            "old_colleague",
            "{name}你好，我是你«以前的同事»小赵，你现在在哪上班呀？{lender}那边让我帮忙问问还款的事。",
            frame=False,
        ),
        T("front_desk", "【物业前台】您的«快递放在物业»了，领取时需本人核对身份，顺便带上您的逾期还款。", frame=False),
        T(
            "points_expire",
            "您的«会员积分即将过期»，请回电{phone}兑换，兑换时核对一下您在{lender}的借款信息。",
            frame=False,
        ),
        T("job_retest", "您好，您«应聘的岗位»已进入复试，请告知现居住址。另外{lender}提醒您尽快还款。", frame=False),
    ],
    "third_party": [
        T(
            "ec_amount",
            "您好，您是{name}的紧急联系人，«TA在{lender}的欠款{amount}已逾期»，请督促其还款。",
            EC,
            "location",
        ),
        T("colleague_pass", "您是{name}的同事吧？«麻烦转告TA尽快还钱»，TA知道是什么事。", TP),
        T("ec_cover", "«{name}的欠款您能不能先帮忙还一下»？TA说您是TA最亲的人。", EC, "location"),
        T("landlord", "{surname}先生，«您的租客拖欠我司借款»，请您帮忙催一催。", TP),
        T("ec_days", "您好，«{name}借款逾期{days}天了»，您作为联系人方便的话提醒一下。", EC, "location"),
        T("family_pay", "请问是{name}的家属吗？«TA的账单您这边能代还吗»？", TP),
        T("ec_today", "打扰了，«请您告诉{name}今天必须把钱还上»。", EC, "location"),
        T("roommate_mix", "Hi，你是{name}室友吧？«TA欠我们的钱你帮忙follow up一下»。", TP),
    ],
    "lawful": [
        T("no_contacts", "您的借款已逾期{days}天，应还{amount}。我们不会联系您的家人、同事或通讯录好友。"),
        T(
            "no_police",
            "您的账单已逾期。我们从不以公安、法院、检察院的名义联系客户，也不会发送任何“传票”或“拘留通知”。",
        ),
        T(
            "no_reborrow",
            "您的借款已逾期{days}天。请不要通过{product}等其他平台借款来还本笔欠款；如有困难，可申请延期或分期。",
        ),
        T(
            "may_sue",
            "您的借款已逾期{days}天，金额{amount}。如协商不成，我司可能依法向人民法院起诉，您有权应诉答辩，也可随时与我们协商。",
        ),
        T("hardship", "了解到您近期遇到困难，您可申请最长{months}期的分期还款，申请期间暂停催收提醒，不收取额外费用。"),
        T(
            "scam_quote",
            "防骗提醒：如有人以“{scam_quote}”为由要求您转账到个人账户，请勿相信，我们只通过官方渠道收款。您的账单已逾期{days}天。",
        ),
        T(
            "own_words",
            "您在来电中提到“{borrower_quote}”。请放心，我们不会这样做。您的逾期金额为{amount}，可申请分期。",
        ),
        T(
            "no_selling",
            "我们不会要求您卖房、卖车或变卖任何财产还款，也不会设定所谓“最后期限”。您的逾期金额为{amount}。",
        ),
        T(
            "credit_report",
            "您的逾期记录将按规定报送征信系统，本短信即为事先告知；结清后将按规定更新。当前应还{amount}。",
        ),
        T("settlement", "您的减免申请已通过，结清金额{amount}，方案有效期内可随时办理，过期后可再次申请。"),
        T(
            "plan_set",
            "您的还款计划已确认：每月{day}日还款{amount}，共{months}期。计划期间我们不会联系您的紧急联系人。",
        ),
        T("no_fees", "您的借款已逾期{days}天。我们不收取任何催收费、上门费或律师费，罚息按合同约定计算。"),
        T("no_platform", "您的借款已逾期{days}天。我们不会在朋友圈、{platform}或任何群里发布您的信息。"),
        T("receipt", "已收到您的还款{amount}，剩余应还{amount2}，感谢您的配合。"),
        T("no_pretext", "我们从不以快递、中奖、问卷、退款等名义联系客户，请谨慎辨别。您的账单已逾期{days}天。"),
        T("dispute", "您的借款已逾期{days}天。如对金额有异议，可在App提交说明，核实期间暂停催收。"),
        T("due_soon", "您的借款将于{date}到期，应还{amount}，请提前准备。", purpose="reminder"),
        T("bill_out", "本期账单已出，应还{amount}，还款日{date}。如有困难可提前申请分期。", purpose="reminder"),
        T("autodebit", "提醒您：{date}将自动扣款{amount}，请确保银行卡余额充足。", purpose="reminder"),
        T("otp", "您的验证码为{code}，5分钟内有效。工作人员不会向您索要验证码。", purpose="service"),
        T("card_post", "您的新卡已寄出，请注意查收，签收时需出示本人身份证。", purpose="service"),
        T("payoff_cert", "您的借款已结清，结清证明可在App“我的”页面下载。", purpose="service"),
        T(
            "survey_noprize",
            "邀请您参与服务满意度问卷（共4题，无奖品，不涉及个人财务），入口在App首页。",
            purpose="service",
        ),
        T("real_refund", "您的退款{amount}已原路退回，无需回电，也无需提供任何信息。", purpose="service"),
        T("locate_call", "您好，我们需要联系{name}，如您方便，请转告其回电{phone}。谢谢。", EC, "location"),
        T(
            "locate_number",
            "您好，冒昧打扰，请问您能联系到{name}吗？如方便请其回电{phone}；如不认识此人请回复N。",
            EC,
            "location",
        ),
        T("locate_soft", "您好，想请{name}方便时回个电话{phone}，给您添麻烦了。", EC, "location"),
    ],
}

EN: dict[str, list[T]] = {
    "threat_harm": [
        T("school_route", "We know {child} goes to {child_place}. «Be a shame if something happened on the way home»."),
        T("car_scratch", "Nice {car} you've got. «Would hate for it to get messed up» while it's parked at {place}."),
        T("guys_swing", "«Some of our guys might swing by tonight». Have the {amount} ready."),
        T("find_out", "«You don't want to find out what happens next», {fname}. Pay today."),
        T("walk_car", "«Watch yourself walking to your car» after work, {fname}."),
        T("family_safe", "«Your family won't be safe» if this keeps dragging on."),
        T("break_things", "«We'll break a few things» at your place if we have to."),
        T("accidents", "«Accidents happen to people who don't pay», {fname}."),
    ],
    "exposure": [
        T("group_post", "Pay by 5 or «we post your debt in the {group}»."),
        T("boss_call", "«We'll call your boss at {employer}» and explain why you can't pay your bills."),
        T("contacts_text", "«Every contact in your phone gets a text» about what you owe. Last warning."),
        T("fb_photo", "«Your photo and balance go up on Facebook» tonight unless we hear from you."),
        T("flyers", "We've printed «flyers with your name and debt for your street»."),
        T("in_laws", "«Your in-laws are going to hear about this loan» from us on Sunday."),
        T("insta_tag", "«We'll tag you in a post» so all your followers know you don't pay."),
        T("coworkers_email", "One more missed call and «your coworkers get an email about your debt»."),
    ],
    "false_authority": [
        T(
            "bench_warrant",
            "NOTICE FROM THE {court}: «A warrant has been issued» for failure to pay. Call immediately.",
            frame=False,
        ),
        T("police_door", "«The police will be at your door» if this isn't paid by Friday."),
        T("fraud_charges", "You are «facing criminal charges for fraud», {fname}. Call our legal department."),
        T(
            "officer",
            "This is Officer {fname2} of the {agency}. «You are under investigation» over your unpaid loan.",
            frame=False,
        ),
        T("go_to_jail", "Non-payment is a crime and «you will go to jail»."),
        T(
            "seize_notice",
            "ENFORCEMENT NOTICE issued under the authority of the {court}: «an agent will attend to seize your goods».",
            where="UK",
            frame=False,
        ),
        T("sheriff_arrest", "Your file «has been sent to the sheriff for arrest».", where="US"),
        T("agency_work", "«We are working with the {agency}» on unpaid online loans like yours."),
    ],
    "insult": [
        T("deadbeat", "Pay up, «you deadbeat»."),
        T("loser", "«You pathetic loser», answer the phone."),
        T("idiot", "Only «an idiot» ignores six letters, {fname}."),
        T("scum", "«Worthless scum» like you never pay."),
        T("cheat", "Hey {fname}, «you lying cheat», where's our money?"),
        T("oxygen", "«What a waste of oxygen» you are."),
        T("muppet", "«Brainless muppet», just pay it.", where="UK"),
        T("rat", "«Spineless rat». Pay the {amount}."),
    ],
    "new_borrowing": [
        T("product", "Take out a «{product}» and pay us today."),
        T("ask_lender", "«Get a quick loan from another lender» and clear us this week."),
        T("cash_advance", "Your card has room on it. «Do a cash advance» and send it over."),
        T("new_card", "«Apply for a new credit card» and use it to pay us off."),
        T("title_loan", "«Get a loan against your car title» this afternoon.", where="US"),
        T("bnpl", "«Put your shopping on Klarna» and send us the cash you save."),
        T("overdraft", "«Dip into your overdraft» to cover it, {fname}."),
        T("retirement_loan", "«Take a loan out of your 401(k)». It's your money anyway.", where="US"),
        T("guarantor", "«Ask your {rel} to be guarantor on a loan» and clear this.", where="UK"),
    ],
    "pressure": [
        T("expires", "«This offer expires in {minutes} minutes». After that it's the full balance only."),
        T("sell", "«Sell your {asset}» and pay us this week."),
        T("remortgage", "«Remortgage the house» if you have to. We need all of it."),
        T("midnight", "«Penalty fees double at midnight»."),
        T("last_chance", "«Last chance today», {fname}. No more plans after this."),
        T("pawn", "«Pawn your {asset}» and get us the cash by 5."),
        T("daily_fee", "«Every day late adds another {fee}» to your balance."),
        T("pension", "«Cash in your pension» and settle this now.", where="UK"),
        T("retirement", "«Cash out your retirement» and settle this now.", where="US"),
    ],
    "disguised": [
        T(
            "parcel",
            "Delivery attempt failed. «Call {premium} to rearrange» and quote your loan account number.",
            frame=False,
        ),
        T("won_prize", "Congratulations, «you've won {prize}»! Settle your {lender} balance to claim it.", frame=False),
        T(
            "survey",
            "Quick survey: «where do you work now, and when's payday?» Thanks from {lender}'s partners.",
            frame=False,
        ),
        T("refund", "«Refund of {amount} waiting for you». Confirm your loan account details on {phone}.", frame=False),
        T(
            "old_friend",
            "Hi, it's «an old school friend»! Can you send me your address? {lender} also asked me to remind you about your payment.",
            frame=False,
        ),
        T("premium_call", "Please «call us on {premium}» about your account today.", where="UK", frame=False),
        T(
            "draw_entry",
            "«Your prize draw entry is confirmed». To claim, call {premium} with your account number.",
            where="UK",
            frame=False,
        ),
        T(
            "job_invite",
            "«Job interview invitation»: please confirm your current address and employer. Please also bring your {lender} account up to date.",
            frame=False,
        ),
    ],
    "third_party": [
        T(
            "ec_owes",
            "Hi, you're {fname}'s emergency contact. «{fname} owes us {amount}» and isn't answering.",
            EC,
            "location",
        ),
        T("tell_pay", "«Can you tell {fname} to pay what they owe»? Thanks.", TP),
        T("rel_cover", "As {fname}'s {rel}, «would you be able to cover their loan payment»?", TP),
        T("ec_remind", "«Please remind {fname} about the overdue account» with {lender}.", EC, "location"),
        T("tp_balance", "We're contacting you about «{fname}'s unpaid balance with {lender}».", TP),
        T("ec_called", "«Let {fname} know the collection agency called» again.", EC, "location"),
        T("tp_behind", "«{fname} is behind on their loan». Maybe you could talk some sense into them.", TP),
        T("ec_due", "If you see {fname}, «tell them the money is due Friday».", EC, "location"),
    ],
    "lawful": [
        T(
            "no_contacts",
            "Your payment of {amount} is {days} days late. We will never contact your employer, family or friends about it.",
        ),
        T(
            "no_arrest",
            "Your balance of {amount} is past due. We will never threaten arrest, and we never claim to be the police or a court.",
        ),
        T(
            "no_reborrow",
            "Your account is {days} days late. Please don't take a {product} or any new credit to pay us; ask us about a plan instead.",
        ),
        T(
            "may_sue",
            "Your account is {days} days past due with a balance of {amount}. If we can't agree a way forward we may take legal action; you would be notified and could respond, and free advice is available.",
        ),
        T(
            "hardship",
            "If money is tight, we can pause payments or set up a plan over {months} months, with no extra fees.",
        ),
        T(
            "scam_quote",
            "Scam warning: texts saying \u201cyou will be arrested today\u201d or \u201cyou've won a prize, confirm your loan\u201d are not from us. Your account is {days} days past due.",
        ),
        T(
            "own_words",
            "You asked us, \u201cwill you tell my family?\u201d The answer is no. Your past-due amount is {amount}.",
        ),
        T(
            "no_selling",
            "We will never ask you to sell your home or car, or set a deadline of minutes or hours. Your balance is {amount}.",
        ),
        T(
            "no_premium",
            "We never use premium-rate numbers and never send prize or parcel messages. Your account is {days} days behind.",
        ),
        T(
            "plan_set",
            "Your plan is confirmed: {amount} a month for {months} months. We won't contact anyone else while it runs.",
        ),
        T(
            "no_fees",
            "Your account is {days} days late. No collection fees apply beyond the late fee in your agreement.",
        ),
        T(
            "no_social",
            "Your payment is overdue. We will never post about you on social media or message your contacts.",
        ),
        T("receipt", "We've received your payment of {amount}. Remaining balance: {amount2}. Thank you."),
        T(
            "settlement",
            "We've accepted {amount} in full settlement of your account. If you need longer to pay, just ask.",
        ),
        T(
            "collector_notice",
            "This is a communication from a debt collector. We are collecting a debt of {amount}. You may dispute it within 30 days; if you do, we will stop collection until we send verification.",
            where="US",
        ),
        T(
            "not_bailiffs",
            "We are collecting {amount} on your loan. We are not bailiffs and have no power to enter your home or take your goods.",
            where="UK",
        ),
        T(
            "breathing_space",
            "You are in a Breathing Space. Interest, charges and collection contact are paused until it ends.",
            where="UK",
        ),
        T("due_soon", "Reminder: your payment of {amount} is due {date}.", purpose="reminder"),
        T("autopay", "Autopay will collect {amount} on {date}. You can change it in the app.", purpose="reminder"),
        T("otp", "Your verification code is {code}. We will never call to ask for it.", purpose="service"),
        T("card_post", "Your new card has been posted in a plain envelope. Activate it in the app.", purpose="service"),
        T("paid_letter", "Your paid-in-full letter is ready to download in the app.", purpose="service"),
        T(
            "survey_noprize",
            "Tell us how we did: 3 questions in the app, no prize, nothing about your finances.",
            purpose="service",
        ),
        T(
            "real_refund",
            "A refund of {amount} has been credited to your account. No action is needed.",
            purpose="service",
        ),
        T(
            "locate_call",
            "Hi, we're trying to reach {fname}. If you can, please ask them to call us on {phone}. Thank you.",
            EC,
            "location",
        ),
        T(
            "locate_number",
            "Sorry to bother you. Do you have a current number for {fname}? If so, please ask them to call {phone}. If you don't know them, reply WRONG.",
            EC,
            "location",
        ),
        T(
            "locate_soft",
            "Hello, could you pass our number, {phone}, to {fname} when convenient? Thanks for your help.",
            EC,
            "location",
        ),
    ],
}

# --- registers and frames -------------------------------------------------------------------------------------
ZH_FRAME_DONE = ("请在{L}App内还款，如有异议请致电{P}。", "还款请登录{L}App，如有异议请致电{P}（工作日9:00-18:00）。")
ZH_FRAME_PART = ("请尽快处理。", "还款请登录App。", "速回电。", "")
ZH_LAWFUL_END = {
    "collection": ("详情请登录{L}App，如有异议请致电{P}。", "可在{L}App内还款或申请方案，如有异议请致电{P}。"),
    "reminder": ("客服电话{P}。", "详情见{L}App，客服{P}。"),
    "service": ("客服电话{P}。", "如有疑问请致电{P}。"),
    "location": ("",),
}
EN_FRAME_DONE_US = (
    "Pay in the {L} app or call {P}. Reply STOP to opt out.",
    "Call {P} or use the app. Reply STOP to opt out.",
)
EN_FRAME_DONE_UK = ("Pay in the {L} app or call {P}.", "Call us on {P} or use the app.")
EN_FRAME_PART = ("Pay now.", "Call us.", "Use the app.", "")
EN_LAWFUL_END_US = {
    "collection": (
        "Pay in the {L} app or call {P}. Reply STOP to opt out.",
        "Questions? Call {P} or use the {L} app. Reply STOP to opt out.",
    ),
    "reminder": ("Pay in the {L} app or call {P}.", "Questions: {P}."),
    "service": ("Questions: {P}.", "Help is on {P}."),
    "location": ("Reply STOP to opt out.", ""),
}
EN_LAWFUL_END_UK = {
    "collection": ("Call {P} or use the {L} app. Free advice: MoneyHelper.", "Talk to us on {P} or in the app."),
    "reminder": ("Pay in the {L} app or call {P}.", "Questions: {P}."),
    "service": ("Questions: {P}.", "Help is on {P}."),
    "location": ("",),
}
ZH_REGISTERS = ("plain", "plain", "plain", "chat", "voice")
EN_REGISTERS = ("plain", "plain", "plain", "subject", "voice", "chat")


# --- evasions --------------------------------------------------------------------------------------------------
def _stretch(rng: random.Random, phrase: str, lang: str) -> tuple[int, int]:
    """The part of a key phrase a writer would hide: one word (en) or a 2-4 character run (zh)."""
    if lang == "en":
        words = sorted(((i, w) for i, w in _words(phrase) if len(w.strip(",.!?")) > 2), key=lambda x: -len(x[1]))
        if not words:
            return 0, len(phrase)
        i, w = rng.choice(words[:2])  # the charged word is usually one of the longest
        return i, i + len(w.rstrip(",.!?"))
    if len(phrase) <= 4:
        return 0, len(phrase)
    n = rng.randint(2, 4)
    start = rng.randrange(0, len(phrase) - n + 1)
    return start, start + n


def _words(phrase: str) -> list[tuple[int, str]]:
    out, i = [], 0
    for w in phrase.split(" "):
        out.append((i, w))
        i += len(w) + 1
    return out


def _evade(rng: random.Random, phrase: str, lang: str) -> str:
    ops = ["sep", "emoji_between", "emoji_after", "spelling", "spelling"]
    ops += ["traditional", "pinyin", "full_width"] if lang == "zh" else ["leet", "caps", "star", "full_width"]
    op = rng.choice(ops)
    if op == "spelling":
        table = ZH_SPELLINGS if lang == "zh" else EN_SPELLINGS
        changed = substitute(rng, phrase, table)
        if changed != phrase:
            return changed
        op = "sep"
    if op == "emoji_after":
        return phrase + rng.choice(EMOJI_AFTER)
    if op == "traditional":
        changed = traditional(phrase)
        if changed != phrase:
            return changed
        op = "pinyin"
    if op == "pinyin":
        a, b = _stretch(rng, phrase, lang)
        return phrase[:a] + pinyin_one(rng, phrase[a:b]) + phrase[b:]
    a, b = _stretch(rng, phrase, lang)
    part = phrase[a:b]
    if op == "sep":
        seps = ZH_SEPARATORS if lang == "zh" else EN_SEPARATORS
        sep = rng.choice(seps)
        part = between(part, lambda: sep)
    elif op == "emoji_between":
        part = between(part, lambda: rng.choice(EMOJI))
    elif op == "full_width":
        part = full_width(part) if any(c.isascii() and c.isalnum() for c in part) else between(part, lambda: "\u2063")
    elif op == "leet":
        leet: dict[str, str | int | None] = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"}
        part = part.translate(str.maketrans(leet))
    elif op == "caps":
        part = " ".join(part.upper())
    elif op == "star":
        vowels = [i for i, c in enumerate(part) if c in "aeiou"]
        if vowels:
            i = rng.choice(vowels)
            part = part[:i] + "*" + part[i + 1 :]
    return phrase[:a] + part + phrase[b:]


# --- one message -----------------------------------------------------------------------------------------------
def _channel(rng: random.Random, purpose: str, register: str) -> str:
    if register == "subject":
        return "email"
    if register == "chat":
        return "app_push"
    if register == "voice":
        return rng.choice(("sms", "email"))
    if purpose == "location":
        return rng.choice(("sms", "sms", "email"))
    if purpose == "collection":
        return rng.choice(("sms", "sms", "sms", "email", "letter", "app_push"))
    return rng.choice(("sms", "sms", "app_push", "email"))


def _wrap(rng: random.Random, lang: str, register: str, body: str, slots: dict[str, tuple[str, ...]]) -> str:
    if lang == "zh":
        if register == "chat":
            who = rng.choice(("专员", "催收员", "客服小吴", "调解员"))
            return "[聊天记录]\n" + "\n".join(f"{who}：{s}" for s in _sentences(body, "zh"))
        if register == "voice":
            return "语音留言转文字：" + body
        return body
    if register == "subject":
        return f"Subject: {rng.choice(slots['subject'])}\n{body}"
    if register == "voice":
        return "Voicemail transcript: " + body
    if register == "chat":
        who = "Agent " + rng.choice(slots["fname2"])
        return "\n".join(f"{who}: {s}" for s in _sentences(body, "en"))
    return body


def _sentences(text: str, lang: str) -> list[str]:
    ends = "。！？" if lang == "zh" else ".!?"
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch in ends:
            out.append(cur.strip())
            cur = ""
    if cur.strip():
        out.append(cur.strip())
    return out or [text]


def _one(rng: random.Random, label: str, lang: str, tpl: T) -> Draft:
    if lang == "zh":
        where = "CN"
        lender = rng.choice(ZH_LENDERS)
        phone = ZH_PHONES[ZH_LENDERS.index(lender) % len(ZH_PHONES)]  # one lender, one number
        slots: dict[str, tuple[str, ...]] = {**ZH_SLOTS, "lender": (lender,), "phone": (phone,)}
        registers: tuple[str, ...] = ZH_REGISTERS
    else:
        where = tpl.where if tpl.where != "*" else rng.choice(("US", "UK"))
        lenders: tuple[str, ...]
        lenders, phones, extra = (
            (US_LENDERS, US_PHONES, US_SLOTS) if where == "US" else (UK_LENDERS, UK_PHONES, UK_SLOTS)
        )
        if tpl.name in COLLECTOR_ONLY:
            lenders = (COLLECTORS[where],)
        elif label == "lawful":  # a collection agency sends no service, reminder or location message
            lenders = tuple(x for x in lenders if x not in COLLECTORS.values())
        lender = rng.choice(lenders)
        phone = phones[(US_LENDERS + UK_LENDERS).index(lender) % len(phones)]  # one lender, one number
        slots = {**EN_SLOTS, **extra, "lender": (lender,), "phone": (phone,)}
        slots["fname"] = (rng.choice(EN_SLOTS["fname"]),)  # one person's name throughout a message
        registers = EN_REGISTERS
    if lang == "zh":
        slots["name"] = (rng.choice(ZH_SLOTS["name"]),)
    body = fill(rng, tpl.body, slots)
    unlawful = label != "lawful"
    if unlawful and rng.random() < EVADE_SHARE:
        body = apply_keys(body, lambda p: _evade(rng, p, lang))
    else:
        body = strip_keys(body)
    register = rng.choice(registers) if (unlawful and tpl.frame) else "plain"
    if not unlawful and rng.random() < 0.15 and tpl.purpose in ("collection", "reminder"):
        register = "subject" if lang == "en" else "plain"
    channel = _channel(rng, tpl.purpose, register)
    if unlawful:
        text = _wrap(rng, lang, register, body, slots)
        if tpl.frame and register == "plain" and rng.random() < FRAME_SHARE:
            text = _frame_unlawful(rng, lang, where, channel, text)
    else:
        text = _frame_lawful(rng, lang, where, tpl.purpose, body, register, slots)
        if lang == "zh" and rng.random() < TRADITIONAL_LAWFUL_SHARE:
            text = traditional(text)
    if channel == "letter":
        text = text.replace(" Reply STOP to opt out.", "")
    text = text.replace("{L}", lender).replace("{P}", phone)
    return Draft(
        text=tidy(text),
        lang=lang,
        label=label,
        role=tpl.role,
        jurisdiction=where,
        channel=channel,
        purpose=tpl.purpose,
        origin=f"template:test5.{label}.{tpl.name}",
    )


def _frame_unlawful(rng: random.Random, lang: str, where: str, channel: str, body: str) -> str:
    complete = rng.random() < FRAME_COMPLETE_SHARE
    if lang == "zh":
        end = rng.choice(ZH_FRAME_DONE if complete else ZH_FRAME_PART)
        return f"【{{L}}】{body}{end}"
    if complete:
        end = rng.choice(EN_FRAME_DONE_US if where == "US" and channel in ("sms", "email") else EN_FRAME_DONE_UK)
    else:
        end = rng.choice(EN_FRAME_PART)
    return f"{{L}}: {body} {end}"


def _frame_lawful(
    rng: random.Random, lang: str, where: str, purpose: str, body: str, register: str, slots: dict[str, tuple[str, ...]]
) -> str:
    if lang == "zh":
        end = rng.choice(ZH_LAWFUL_END[purpose])
        if purpose == "location" and "{P}" not in end and slots["phone"][0] not in body:
            end = "客服电话{P}。"
        return f"【{{L}}】{body}{end}"
    ends = EN_LAWFUL_END_US if where == "US" else EN_LAWFUL_END_UK
    end = rng.choice(ends[purpose])
    if purpose == "location":
        return f"{{L}}: {body} {end}"
    if register == "subject":
        return f"Subject: {rng.choice(slots['subject'])}\n{{L}}: {body} {end}"
    return f"{{L}}: {body} {end}"


def generate() -> list[Draft]:
    rng = random.Random(SEED)  # nosec B311
    templates = {label: {"zh": ZH[label], "en": EN[label]} for label in ZH}
    return cycle_templates(
        rng,
        templates,
        _one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=ATTEMPTS_PER_MESSAGE_MAX,
    )
