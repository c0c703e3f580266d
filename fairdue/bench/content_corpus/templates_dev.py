"""Generated part of the DEV split (for tuning): its own templates, vocabulary, evasion tables and seed.

Written after the test split was frozen and without reusing its templates:
every template, filler list, homophone table, emoji set and frame wording here
is its own. Only the neutral mechanics in generate.py are shared.
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

SEED = 31_2026_1207
UNLAWFUL_PER_INTENT_LANG = 32  # generated unlawful messages per intent and language
LAWFUL_PER_LANG = 220  # generated lawful messages per language
EVASION_SHARE_UNLAWFUL = 0.45
EVASION_SHARE_LAWFUL = 0.15
FRAME_SHARE_UNLAWFUL = 0.5
ATTEMPTS_PER_MESSAGE_MAX = 40
THIRD_PARTY_ROLES = ("emergency_contact", "third_party")
THIRD_PARTY_PURPOSES = ("collection", "location", "reminder")


@dataclass(frozen=True, slots=True)
class T:
    """A template: {slots}, one «key phrase» for evasions, and where it may be sent."""

    name: str
    text: str
    where: tuple[str, ...] = ("CN", "US", "UK")
    roles: tuple[str, ...] = ("borrower",)
    purposes: tuple[str, ...] = ("collection",)
    channels: tuple[str, ...] = CHANNELS
    frame: bool = True


# --- vocabulary ------------------------------------------------------------------
SLOTS_ZH: dict[str, list[str]] = {
    "name": ["周敏", "吴刚", "孙悦", "郑浩", "何静", "马超", "唐宁", "许可"],
    "amt": ["4,180.00", "2399", "813.26", "15,600", "6,020.50", "350"],
    "days": ["2", "10", "21", "46", "75", "120"],
    "tail": ["5521", "0038", "8164", "2290"],
    "date": ["12月18日", "12月28日", "1月10日", "下周一"],
    "kid": ["闺女", "小宝", "大儿子", "小女儿"],
    "school": ["二小", "实验中学", "阳光幼儿园", "外国语学校"],
    "wife_place": ["你老婆上班的商场", "你爸妈住的村子", "你孩子上的补习班"],
    "crew": ["上门组", "外催的人", "我们地面团队", "几个社会上的朋友"],
    "hurt": ["打断你的腿", "让你在医院过年", "让你横着出来", "把你家玻璃全砸了"],
    "time": ["今天半夜", "后天", "月底前", "周五晚上"],
    "channel_pub": ["朋友圈", "小红书", "视频号", "B站", "家族群"],
    "contacts": ["通讯录里的人", "你的同学和老师", "你的前同事", "你的客户"],
    "where_banner": ["你单位门口", "你家楼下", "你孩子学校门口"],
    "officer": ["法院的工作人员", "派出所的", "经侦的", "检察院的"],
    "agency": ["征信中心", "金融监管局", "银保监", "人民银行"],
    "abuse": ["穷鬼", "贱人", "烂人", "王八蛋", "猪狗不如的东西", "死皮赖脸的"],
    "loanapp": ["花呗", "度小满", "安逸花", "招联金融", "网商贷", "有钱花"],
    "valuable": ["房子", "车子", "手机电脑", "股票基金", "你妈的首饰"],
    "pretext": ["挂号信", "法律文书快递", "同城闪送件", "会员积分兑换"],
    "award": ["一等奖", "免单资格", "万元红包", "购物卡"],
    "rel": ["表哥", "发小", "室友", "老同学", "邻居"],
    "sender": ["小橙分期", "众和金融", "安心贷"],
}
SLOTS_EN: dict[str, list[str]] = {
    "amt": ["540.00", "1,975.30", "88.10", "3,600", "710.45"],
    "days": ["4", "16", "28", "52", "90"],
    "tail": ["3319", "7005", "1420", "9946"],
    "date": ["Monday", "the 30th", "January 8", "end of the week"],
    "kid": ["kids", "daughter", "son", "little one"],
    "wife_place": ["where your wife works", "your mom's address", "your kid's daycare"],
    "crew": ["our recovery team", "a few of my friends", "our field agents", "the boys"],
    "hurt": ["break your legs", "make you disappear", "hurt someone you love", "smash your windows"],
    "time": ["tonight", "first thing Monday", "before the weekend", "at 2am"],
    "site": ["X", "LinkedIn", "YouTube", "Reddit", "Nextdoor"],
    "audience": ["your HR department", "your coworkers", "your landlord", "your ex", "your whole family"],
    "officer": ["the Department of Justice", "the FBI financial crimes unit", "the state attorney's office"],
    "uk_body": ["HM Courts Service", "the County Court Enforcement Division", "the Enforcement Agents Office"],
    "abuse": ["idiot", "parasite", "bum", "piece of trash", "freeloader", "dirtbag", "clown"],
    "lender": ["CashNow", "a title lender", "EarnIn", "a loan shark", "SpeedyCash", "a pawn shop loan"],
    "valuable": ["your house", "your truck", "your furniture", "your savings bonds", "your wedding ring"],
    "pretext": ["Your DPD parcel is on hold", "Missed delivery: we left a card", "Your Evri package needs a fee"],
    "award": ["our monthly £1,000 draw", "a free smartwatch", "a luxury hamper", "a £250 gift card"],
    "premium": ["0904 220 3311", "0907 118 5500", "0873 446 2020", "0898 505 6060", "118 855"],
    "rel": ["roommate", "ex-partner", "coworker", "sister", "uncle"],
    "sender": ["Harbor Bank", "Fairline Credit", "Kestrel Loans"],
}
PEOPLE_EN = [
    ("Maria", "Maria Garcia"),
    ("Chris", "Chris Evans"),
    ("Sam", "Sam Taylor"),
    ("Dana", "Dana Brooks"),
    ("Leon", "Leon Price"),
    ("Grace", "Grace Kim"),
]
SLOTS_BY_J: dict[str, dict[str, list[str]]] = {
    "CN": {"phone": ["400-820-1234", "400-880-6688"]},
    "US": {"cur": ["$"], "phone": ["1-877-555-0199", "1-800-555-0100"]},
    "UK": {"cur": ["£"], "phone": ["0800 731 0044", "0330 808 1234"]},
}

EMOJI = ["😊", "⚠️", "💣", "🌹", "✨"]
HOMOPHONES_ZH: dict[str, list[str]] = {
    "通讯录": ["通迅录", "tongxunlu", "通讯lu"],
    "坐牢": ["坐lao", "zuolao", "蹲大牢"],
    "王八蛋": ["王八dan", "忘八蛋", "wbd"],
    "傻": ["sha", "煞"],
    "穷鬼": ["qiong鬼", "穷gui"],
    "贱人": ["jian人", "剑人"],
    "朋友圈": ["盆友圈", "pyq"],
    "老板": ["laoban", "老bǎn"],
    "打断": ["da断", "打duan"],
    "法院": ["法苑", "fayuan"],
    "立案": ["li案", "立an"],
    "花呗": ["花bei", "hua呗"],
    "抵押": ["di押", "抵ya"],
    "家人": ["jia人", "家仁"],
}
SUBSTITUTES_EN: dict[str, list[str]] = {
    "arrested": ["arre$ted", "4rrested", "a r r e s t e d"],
    "idiot": ["1diot", "id1ot", "i-d-i-o-t"],
    "trash": ["tr@sh", "tr4sh"],
    "parasite": ["p@rasite", "parasit3"],
    "legs": ["l3gs", "leg$"],
    "LinkedIn": ["L1nkedIn", "linked in"],
    "loan": ["l0an", "lo@n"],
    "house": ["h0use", "hou$e"],
    "court": ["c0urt", "COURT"],
}


# --- templates -----------------------------------------------------------------------
TEMPLATES: dict[str, dict[str, list[T]]] = {
    "threat_harm": {
        "zh": [
            T("school_gate", "{name}，你{kid}的学校我们去过了，«{school}门卫都认识我们了»。"),
            T("route_home", "«你家{kid}每天走哪条路回家»我们都知道，还钱吧。"),
            T("hurt", "再拖一天，{crew}{time}过去«{hurt}»。"),
            T("relatives", "«{wife_place}»我们也摸清楚了，别逼我们动手。"),
            T("knock", "{time}«去你家敲门»，敲到你开为止，你家人也别想睡。"),
            T("mixed", "«小心点 bro»，我们的人 {time} 就到你家，{kid} 也在家吧？"),
        ],
        "en": [
            T("hurt", "Pay {cur}{amt} or «{crew} will {hurt}»."),
            T("shift", "«We know {wife_place}». Don't make us use that."),
            T("school", "«Your {kid}'s school is five minutes from our office». Think about it."),
            T("come_round", "«Don't make us come round» {time}, {first}."),
            T("insured", "Hope «your house is insured», {first}. Pay the {cur}{amt}."),
            T("mixed", "{first}, «小心 your family» — we are coming {time}."),
        ],
    },
    "exposure": {
        "zh": [
            T("pub", "今天不处理，我们就«把你欠钱的事发到{channel_pub}»。"),
            T("contacts", "«给你{contacts}挨个打电话»，说你欠了{amt}元不还。"),
            T("banner", "«在{where_banner}拉横幅»，写上你的名字和欠款。"),
            T("wanted", "«把你的照片P成通缉令发到家族群»，让你亲戚都看看。"),
            T("address_book", "不还款就«爆你的通讯录»，你自己选。"),
            T("mixed_boss", "再不还钱我们就 «call 你老板»，让你们公司都 know。"),
        ],
        "en": [
            T("site", "We'll «share your debt on {site}» with your full name."),
            T("wall", "Your name «will appear on our website's Wall of Shame»."),
            T("contacts", "«We'll text your whole contact list» about the {cur}{amt}."),
            T("audience", "A notice about this debt «will be sent to {audience}»."),
            T("posters", "«We'll put up posters in your neighbourhood» if you don't pay."),
            T("mixed_boss", "Pay today or we «call your 老板» and your 同事."),
        ],
    },
    "false_authority": {
        "zh": [
            T("officer", "我是«{officer}»，你的案子已经到我们这了，今天必须还款。"),
            T("filed", "«公安局已经立案»，你现在还款还能争取从宽处理。"),
            T("blacklist", "«你已被{agency}标记为恶意逃债»，全国联网。"),
            T("jail", "欠这么久不还，你就«等着坐牢»吧。"),
            T("wanted_online", "«你已被网上通缉»，主动还款可撤销。", frame=False),
            T("enforce_notice", "«法院强制执行通知书»：限你{date}前还清{amt}元。", frame=False),
        ],
        "en": [
            T("arrested", "If you don't pay by {date} «you will be arrested»."),
            T("police_home", "«Police will come to your home» to collect this debt."),
            T("charges", "«You are facing criminal charges» for non-payment."),
            T("agency", "«This is {officer}». Your case has been opened.", where=("US",)),
            T("summons", "«OFFICIAL COURT SUMMONS» — pay {cur}{amt} to avoid appearing.", frame=False),
            T("garnish", "«Your wages will be garnished tomorrow» unless we hear from you.", where=("US",)),
            T("uk_body", "«{uk_body}»: an enforcement agent visit has been scheduled.", where=("UK",), frame=False),
        ],
    },
    "insult": {
        "zh": [
            T("abuse", "«{abuse}»，欠{amt}元都还不上。"),
            T("abbrev_fw", "«ＳＢ»一个，还钱！"),
            T("cnm", "«cnm»，电话为什么不接"),
            T("wbd", "你个«王八蛋»，躲到哪去了"),
            T("dumb", "你是«傻子»吗？今天最后期限。"),
            T("mixed", "you are a «穷鬼», pay now"),
        ],
        "en": [
            T("abuse", "You «{abuse}», pay the {cur}{amt}."),
            T("gtfo", "«GTFO» with your excuses and pay."),
            T("fu", "«FU» {first}, we're done being nice."),
            T("ffs", "«FFS you useless {abuse}», pay."),
            T("mixed", "{first} you «sha bi», just pay."),
        ],
    },
    "new_borrowing": {
        "zh": [
            T("app", "«去{loanapp}上借钱还»，今天就能到账。"),
            T("card", "«刷信用卡还我们»，下个月再说。"),
            T("new_app", "«再办个网贷»把这笔还上。"),
            T("roll", "«借新还旧»都不会吗？"),
            T("relative_then_app", "找亲戚借不到«就去网贷平台借»。"),
            T("mixed", "«open 一个 {loanapp}» 额度，先还我们。"),
        ],
        "en": [
            T("lender", "«Get a loan from {lender}» and pay us today."),
            T("overdraft", "«Use your overdraft» to clear the {cur}{amt}."),
            T("consolidation", "«Apply for a consolidation loan elsewhere» and settle with us."),
            T("retirement", "«Take out a loan against your 401(k)» and pay this off.", where=("US",)),
            T("mixed", "«去借 a loan» from any app, just pay us {cur}{amt}."),
        ],
    },
    "pressure": {
        "zh": [
            T("mortgage", "«把{valuable}抵押了»，今天还清。"),
            T("sell", "«{valuable}卖掉»不就有钱了？"),
            T("late", "«今天不还明天就晚了»，没有任何商量余地。"),
            T("limited", "«限时减免，仅剩1小时»，过期全额追讨。"),
            T("now", "«立刻马上全额还清»，一分都不能少。"),
            T("mixed", "«sell 掉你的{valuable}»，today 必须还。"),
        ],
        "en": [
            T("sell", "«Sell {valuable}» and pay us in full."),
            T("second_mortgage", "«Take a second mortgage» to clear this.", where=("US", "UK")),
            T("liquidate", "«Liquidate your savings» today, {first}."),
            T("last_chance", "«This is your last chance». Pay {cur}{amt} now."),
            T("fifteen", "«Offer expires in 15 minutes» — full balance only."),
            T("ebay", "«Sell your belongings on eBay» if that's what it takes."),
        ],
    },
    "disguised": {
        "zh": [
            T("letter", "«您有一份{pretext}待领取»，请回电{phone}。", frame=False),
            T("points", "«您的会员积分即将过期»，回电{phone}兑换。", frame=False),
            T("award", "«恭喜您获得{award}»，请联系{phone}确认。", frame=False),
            T("census", "«社区人口信息回访»，请回电{phone}配合登记。", frame=False),
            T("broadband", "«您的宽带服务即将到期»，请回电{phone}续约。", frame=False),
        ],
        "en": [
            T("pretext", "«{pretext}». Call {premium} to arrange delivery.", where=("UK",), frame=False),
            T("award", "«You've won {award}»! Call {premium} to claim.", where=("UK",), frame=False),
            T("research", "«Help us with a short research call» — ring {phone}.", frame=False),
            T("premium", "Call «{premium}» to discuss your arrears.", where=("UK",)),
            T("premium_help", "Our collections line is «{premium}», open 8am-8pm.", where=("UK",)),
        ],
    },
    "third_party": {
        "zh": [
            T("owe", "您好，«{name}在我们这里欠了钱»，您知道吗？"),
            T("pay_for", "«您替{name}还了吧»，都是一家人。"),
            T("warn", "«您跟{name}说»，«今天不还就不客气了»。"),
            T("chase", "麻烦您«帮忙催一下{name}»，谢谢。"),
            T("know", "«{name}的欠款您知道吧»？{amt}元。"),
            T("rel", "您是{name}的{rel}吧，«他的借款逾期{days}天了»。"),
        ],
        "en": [
            T("owe", "Hi, «{first} has an unpaid balance with us» of {cur}{amt}."),
            T("pay_for", "«Can you pay it on {first}'s behalf»?"),
            T("remind", "«Remind {first} the loan is overdue», please."),
            T("collecting", "«Let {first} know we're collecting» this week."),
            T("rel", "As {first}'s {rel}, «you should tell {first} to pay up»."),
        ],
    },
    "lawful": {
        "zh": [
            T("bill", "{name}，您本月账单{amt}元，请于{date}前还款。", purposes=("reminder",)),
            T("overdue", "{name}，您尾号{tail}的借款已逾期{days}天，待还{amt}元，可申请延期。"),
            T("promise", "我们承诺：«绝不骚扰您的亲友和联系人»。"),
            T("no_fake", "本公司«不会冒充公检法»或征信机构，请勿轻信陌生来电。"),
            T("no_other_platform", "«请勿向其他借贷平台借款偿还»，可申请分期。"),
            T("no_fee", "本平台«不收取任何催收费用»或上门费。"),
            T("no_sell", "我们«不会要求您变卖房产或车辆»还款，可按能力协商。"),
            T("suit", "协商不成时，我司将依法通过诉讼解决，届时以法院文书为准。"),
            T("settled", "您的账户已结清，结清证明可在App下载。", purposes=("service",)),
            T("code", "您的登录验证码为{tail}，5分钟内有效，请勿泄露。", purposes=("service",)),
            T(
                "location",
                "您好，麻烦请{name}方便时回电{phone}，谢谢。",
                roles=("emergency_contact", "third_party"),
                purposes=("location",),
                channels=("sms", "app_push"),
            ),
        ],
        "en": [
            T("statement", "Your statement is ready, {first}: {cur}{amt} due {date}.", purposes=("reminder",)),
            T("paused", "We've paused collection while we review your dispute."),
            T("privacy", "We «will not discuss your account with anyone else»."),
            T("premium", "We «never call from a premium-rate number»; our line is free.", where=("UK",)),
            T("no_sell", "We «won't ask you to sell your house» or take out credit to pay us."),
            T("no_police", "We «do not report customers to the police» for missed payments."),
            T("breathing", "If you are in Breathing Space, we will not contact you about this debt.", where=("UK",)),
            T("overdue", "Your account ending {tail} is {days} days overdue: {cur}{amt}. Let's agree a plan."),
            T(
                "suit_us",
                "We may decide to sue if we cannot agree a plan; we will tell you before we do.",
                where=("US",),
            ),
            T("paid", "Payment received: {cur}{amt}. Thank you, {first}.", purposes=("service",)),
            T(
                "location",
                "This is Ruth Okafor. I'm trying to confirm an address for {name}. Please ask {first} to contact me.",
                where=("US",),
                roles=("emergency_contact", "third_party"),
                purposes=("location",),
                channels=("sms", "email"),
            ),
        ],
    },
}


# --- framing ---------------------------------------------------------------------
def _frame_zh(rng: random.Random, body: str, purpose: str, complete: bool) -> str:
    sender = "众和客服" if purpose == "location" else rng.choice(SLOTS_ZH["sender"])
    if not complete:
        return f"{sender}：{body}" if rng.random() < 0.5 else body
    if purpose == "location":
        return f"【{sender}】{body}回复退订不再接收。"
    lines = [f"【{sender}】{body}", rng.choice(["可登录App或致电400-820-1234。", "官方客服电话400-880-6688。"])]
    if purpose == "collection":
        lines.append(rng.choice(["对本通知有异议的，可拨打400-820-1234提出。", "还款困难可申请协商。"]))
    return "".join(lines)


def _frame_en(rng: random.Random, ctx: tuple[str, str, str, str], body: str, first: str, complete: bool) -> str:
    jurisdiction, channel, purpose, role = ctx
    sender = rng.choice(SLOTS_EN["sender"])
    phone = rng.choice(SLOTS_BY_J[jurisdiction]["phone"])
    if purpose == "location":
        return f"{body} You can reach me on {phone}. Text STOP to end these messages."
    if not complete:
        return f"{body} - {sender}" if rng.random() < 0.5 else body
    close = f" Manage your account in our app or phone {phone}."
    if jurisdiction == "US" and channel in ("sms", "email") and purpose != "service":
        close += " Text STOP to opt out."
    if channel in ("letter", "email"):
        hello = f"Hello {first}," if role == "borrower" else "Hello,"
        return f"{hello}\n{body}{close}\nThank you, {sender}"
    return f"[{sender}] {body}{close}"


# --- evasions ---------------------------------------------------------------------
def _evade_zh(rng: random.Random, phrase: str, lawful: bool) -> str:
    ways = ["homophone", "homophone", "pinyin", "emoji", "zero_width", "traditional", "slashes"]
    how = rng.choice(["traditional", "emoji"] if lawful else ways)
    if how == "homophone":
        swapped = substitute(rng, phrase, HOMOPHONES_ZH)
        return swapped if swapped != phrase else traditional(phrase)
    if how == "pinyin":
        return pinyin_one(rng, phrase)
    if how == "emoji":
        return between(phrase, lambda: rng.choice(EMOJI))
    if how == "zero_width":
        return between(phrase, lambda: rng.choice(["\u200b", "\u200c", "\u2060"]))
    if how == "slashes":
        return between(phrase, lambda: "/")
    return traditional(phrase)


def _evade_en(rng: random.Random, phrase: str, lawful: bool) -> str:
    ways = ["substitute", "substitute", "full_width", "spaces", "zero_width", "upper"]
    how = rng.choice(["upper", "zero_width"] if lawful else ways)
    if how == "substitute":
        swapped = substitute(rng, phrase, SUBSTITUTES_EN)
        return swapped if swapped != phrase else full_width(phrase)
    if how == "full_width":
        return full_width(phrase)
    if how == "spaces":
        return between(phrase, lambda: " ") if len(phrase) < 25 else phrase.replace(" ", "  ")
    if how == "zero_width":
        return between(phrase, lambda: "\u200b")
    return phrase.upper()


# --- generation --------------------------------------------------------------------
def _context(rng: random.Random, label: str, t: T, lang: str) -> tuple[str, str, str, str]:
    jurisdiction = "CN" if lang == "zh" else rng.choice([j for j in t.where if j != "CN"] or ["US"])
    role = rng.choice(THIRD_PARTY_ROLES if label == "third_party" else t.roles)
    purpose = rng.choice(THIRD_PARTY_PURPOSES if label == "third_party" else t.purposes)
    return jurisdiction, rng.choice(t.channels), purpose, role


def _one(rng: random.Random, label: str, lang: str, t: T) -> Draft:
    ctx = _context(rng, label, t, lang)
    jurisdiction, channel, purpose, role = ctx
    first, full = rng.choice(PEOPLE_EN)
    slots = {**(SLOTS_ZH if lang == "zh" else SLOTS_EN), **SLOTS_BY_J[jurisdiction]}
    if lang == "en":
        slots = {**slots, "first": [first], "name": [full]}
    lawful = label == "lawful"
    body = fill(rng, t.text, slots)
    if rng.random() < (EVASION_SHARE_LAWFUL if lawful else EVASION_SHARE_UNLAWFUL):
        body = apply_keys(body, lambda p: (_evade_zh if lang == "zh" else _evade_en)(rng, p, lawful))
    else:
        body = strip_keys(body)
    if t.frame:
        complete = lawful or rng.random() < FRAME_SHARE_UNLAWFUL
        body = _frame_zh(rng, body, purpose, complete) if lang == "zh" else _frame_en(rng, ctx, body, first, complete)
    return Draft(tidy(body), lang, label, role, jurisdiction, channel, purpose, f"template:dev.{label}.{t.name}")


def generate() -> list[Draft]:
    """The generated messages of the dev split, in a fixed order (seeded)."""
    return cycle_templates(
        random.Random(SEED),  # nosec B311
        TEMPLATES,
        _one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=ATTEMPTS_PER_MESSAGE_MAX,
    )
