"""The test3 split's own generator (third held-out split): templates, fillers, evasion tables, frames and seed.

Written without reading the content check, the other splits' messages, hand files or generators; only the neutral
mechanics of generate.py are shared. A template is (name, role, purpose, channels, jurisdiction, body); the
«key phrase» of an unlawful body is where an evasion may be applied. Unlawful bodies carry one intent each;
lawful bodies get a complete frame (sender, official channel, CN objection route, US opt-out).
"""

from __future__ import annotations

import random
from collections.abc import Callable
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

SEED = 5520261207
UNLAWFUL_PER_INTENT_LANG = 21
LAWFUL_PER_LANG = 116
ATTEMPTS_PER_MESSAGE_MAX = 40
EVADE_SHARE = 0.45  # unlawful messages with one evasion on their key phrase
FRAME_SHARE = 0.5  # unlawful (not disguised) messages with a lender frame
FRAME_COMPLETE_SHARE = 0.55  # of those, complete (channel, objection route / opt-out)
TRADITIONAL_LAWFUL_ZH = 0.1  # lawful zh messages written wholly in traditional characters


class T(NamedTuple):
    name: str
    role: str  # borrower | emergency_contact | third_party
    purpose: str
    channels: str  # space-separated
    juris: str  # CN | US | UK | EN (either US or UK)
    body: str


B, E, X = "borrower", "emergency_contact", "third_party"
C, R, L, S = "collection", "reminder", "location", "service"

# --- fillers ------------------------------------------------------------------------
ZH = {
    "lender": [
        "麦穗借",
        "晴川花",
        "栗子钱包",
        "青柠贷",
        "北辰消费金融",
        "澄湖银行",
        "柏舟小贷",
        "云杉分期",
        "小满借钱",
    ],
    "name": ["周子豪", "林佳怡", "马建军", "何晓雯", "唐磊", "孙丽娟", "邓宇航", "韩雪", "郑国强", "罗美玲"],
    "sur": ["王", "李", "陈", "黄", "赵", "吴", "刘"],
    "kid": ["女儿", "儿子", "小宝", "闺女", "孩子"],
    "school": ["实验小学", "第二中学", "阳光幼儿园", "育英学校", "城南小学", "外国语学校"],
    "time": ["下午四点", "四点半", "五点一刻", "傍晚", "早上七点半"],
    "shop": ["奶茶店", "五金店", "理发店", "水果店", "小饭馆", "便利店"],
    "street": ["建设路", "滨江路", "解放街", "文化路", "人民西路"],
    "community": ["锦绣花园", "翠湖小区", "阳光新城", "金色家园", "幸福里"],
    "company": ["你们公司", "你单位", "你们厂", "你上班的写字楼"],
    "platform": ["借呗", "微粒贷", "京东金条", "美团借钱", "360借条", "度小满", "分期乐", "安逸花"],
    "amt": ["3260", "5800", "12450", "2199", "8700", "960", "15300", "4420"],
    "days": ["17", "32", "45", "61", "90", "8", "120"],
    "date": ["12月10日", "12月15日", "12月20日", "1月5日", "本月25日"],
    "hotline": ["400-826-3390", "400-615-7702", "95321", "400-930-1185", "95877", "400-702-4461"],
    "phone": ["0755-86231459", "021-50916622", "13912408876", "17705563120", "010-62771935"],
    "partner": ["外访合作方", "我们合作的资产公司", "地面团队", "外包的兄弟", "合作律所的人"],
    "relation": ["儿子", "女儿", "丈夫", "妻子", "弟弟", "妹妹"],
    "courier": ["顺风速运", "中通快件", "京东物流", "邮政EMS", "菜鸟驿站"],
    "prize": ["价值2999元的扫地机器人", "500元京东卡", "一台iPad", "年度幸运大奖", "888元话费"],
    "court": ["某区人民法院", "市中级人民法院", "区人民法院执行局", "互联网法院"],
    "tail": ["6623", "0918", "4471", "2305", "8850", "1176"],
}

EN = {
    "lender_US": ["Harborline Lending", "Redcedar Credit", "Prairie Bank", "Copperleaf Finance", "Summit Ridge Loans"],
    "lender_UK": ["Oakmere Credit", "Fenwick Loans", "Bramley Bank", "Kestrel Finance", "Tollgate Money"],
    "agency_US": ["Lakeshore Recovery Services", "Bluestem Collections", "Northpoint Receivables"],
    "agency_UK": ["Wyvern Collections", "Marlow Recovery Services", "Heathfield Receivables"],
    "first": ["Jake", "Maria", "Tyler", "Shannon", "Darnell", "Priya", "Connor", "Leah", "Aidan", "Bethany"],
    "sur": ["Holloway", "Reyes", "Brennan", "Okafor", "Whitfield", "Novak", "Pritchard", "Castillo"],
    "kid": ["your daughter", "your son", "your little girl", "your boy", "the kids"],
    "school": ["Lincoln Elementary", "St Mary's Primary", "Westbrook Middle", "Oakfield Academy", "Riverside Primary"],
    "shop": ["barbershop", "nail salon", "corner shop", "food truck", "cafe", "garage"],
    "street": ["Maple Avenue", "Church Lane", "Elm Street", "Victoria Road", "Pine Court"],
    "town": ["Dayton", "Leicester", "Tacoma", "Swindon", "Fresno", "Wigan"],
    "employer": ["the warehouse", "the hospital", "your office", "the depot", "Target", "the council"],
    "app": ["QuickFunds", "CashNow", "PayDay Express", "LoanZoom", "FlashCash"],
    "money_US": ["$640", "$1,275", "$2,980", "$415", "$3,300", "$875"],
    "money_UK": ["£520", "£1,140", "£2,460", "£380", "£3,050", "£760"],
    "phone_US": ["(614) 555-0143", "(512) 555-0178", "1-800-555-0122", "(303) 555-0199", "1-888-555-0135"],
    "phone_UK": ["0161 496 0823", "0113 496 0574", "0800 048 0731", "0121 496 0650", "0300 012 3348"],
    "premium": ["0906 553 7710", "0871 224 0918", "0872 771 3306", "0909 880 4412", "118 247", "0873 665 2019"],
    "days": ["14", "30", "45", "60", "21", "90"],
    "date": ["December 14", "December 21", "January 4", "the 28th", "Friday"],
    "tail": ["4471", "0923", "6618", "3054", "7782"],
}

# --- evasion tables (this split's own) -----------------------------------------------
HOMOPHONE_ZH = {
    "通讯录": ["通汛簿", "tongxun录", "同讯录", "TXL"],
    "曝光": ["暴晃", "bao光", "抱光", "曝guang"],
    "坐牢": ["作牢", "zuo牢", "坐1牢"],
    "公安": ["攻安", "gong安", "GA"],
    "法院": ["法垸", "fa院", "珐院"],
    "傻逼": ["傻b", "沙比", "shab", "SB"],
    "废物": ["废wu", "费物", "FW"],
    "垃圾": ["拉鸡", "lj", "辣圾"],
    "老赖": ["老徕", "lao赖", "LL"],
    "借呗": ["借bei", "jie贝", "借被"],
    "微粒贷": ["微粒dai", "WLD", "威粒贷"],
    "网贷": ["网dai", "往贷", "WD"],
    "套现": ["套xian", "滔现", "TX"],
    "抵押": ["抵压", "di押", "底押"],
    "孩子": ["孩纸", "hai子", "娃"],
    "出事": ["出亊", "chu事", "出点事儿"],
    "拘留": ["拘刘", "ju留", "JL"],
    "同事": ["铜事", "tong事"],
    "家人": ["家ren", "家银"],
    "快递": ["快滴", "kuai递"],
}
HOMOPHONE_EN = {
    "deadbeat": ["dead-b3at", "deadb8", "d34dbeat"],
    "loser": ["l0ser", "lo$er", "LOOZER"],
    "idiot": ["id10t", "idjit", "eejit"],
    "scum": ["sc*m", "skum", "scvm"],
    "arrest": ["arr3st", "a-rrest", "ARREST"],
    "warrant": ["w4rrant", "warr@nt"],
    "police": ["p0lice", "po-po", "feds"],
    "court": ["c0urt", "kourt"],
    "payday": ["pay-day", "PDL"],
    "overdraft": ["0verdraft", "OD"],
    "Facebook": ["FB", "F@cebook", "the Book"],
    "contacts": ["c0ntacts", "contakts"],
    "hurt": ["hvrt", "h*rt"],
    "remortgage": ["re-mortgage", "remortg@ge"],
    "parcel": ["p@rcel", "parc3l"],
}
LEET = str.maketrans({"a": "4", "e": "3", "o": "0", "i": "1", "s": "5"})
SEPARATORS = [" ", "·", "/", "_", "~", "|", "-"]
ZERO_WIDTH = ["\u200b", "\u2060", "\u200d", "\ufeff", "\u180e"]
EMOJI = ["🙂", "🔥", "⚠️", "👀", "💣", "🌚", "🤡", "💢", "🐷", "⭐"]


WINDOW_OVER = 10  # a longer key phrase gets a character-level evasion on a short stretch of it only


def _window(rng: random.Random, phrase: str, op: Callable[[str], str]) -> str:
    """Apply op to all of a short phrase, or to a stretch of 3-6 characters of a long one (as a writer hides a word)."""
    if len(phrase) <= WINDOW_OVER:
        return op(phrase)
    size = rng.randint(3, 6)
    start = rng.randrange(len(phrase) - size)
    return phrase[:start] + op(phrase[start : start + size]) + phrase[start + size :]


def evade(rng: random.Random, phrase: str, lang: str) -> str:
    """One evasion on a key phrase, chosen at random from this split's set."""
    table = HOMOPHONE_ZH if lang == "zh" else HOMOPHONE_EN
    ops = ["sep", "zw", "emoji_between", "emoji_after", "subst", "subst", "fullwidth"]
    ops += ["trad", "pinyin", "pinyin"] if lang == "zh" else ["leet", "caps", "dots"]
    op = rng.choice(ops)
    if op == "sep":
        sep = rng.choice(SEPARATORS)
        return _window(rng, phrase, lambda p: between(p, lambda: sep))
    if op == "zw":
        return _window(rng, phrase, lambda p: between(p, lambda: rng.choice(ZERO_WIDTH)))
    if op == "emoji_between":
        return _window(rng, phrase, lambda p: between(p, lambda: rng.choice(EMOJI) if rng.random() < 0.6 else ""))
    if op == "emoji_after":
        words = phrase.split(" ")
        i = rng.randrange(len(words))
        words[i] = words[i] + rng.choice(EMOJI)
        return " ".join(words)
    if op == "subst":
        out = substitute(rng, phrase, table)
        return out if out != phrase else _window(rng, phrase, lambda p: between(p, lambda: rng.choice(ZERO_WIDTH)))
    if op == "fullwidth":
        out = full_width(phrase)
        return out if out != phrase else traditional(phrase) if lang == "zh" else phrase.upper()
    if op == "trad":
        out = traditional(phrase)
        return out if out != phrase else pinyin_one(rng, phrase)
    if op == "pinyin":
        return pinyin_one(rng, phrase)
    if op == "leet":
        return _window(rng, phrase, lambda p: p.translate(LEET))
    if op == "caps":
        return phrase.upper()
    return _window(rng, phrase, lambda p: between(p, lambda: "."))  # dots


# --- templates ------------------------------------------------------------------------
# fmt: off
UNLAWFUL: dict[str, dict[str, list[T]]] = {
    "threat_harm": {
        "zh": [
            T("school_walk", B, C, "sms app_push", "CN", "{name}，你家{kid}每天{time}从{school}出来，走的哪条路我们都清楚。钱的事再拖，«路上万一出点什么事»，可别说没人提醒过你。"),
            T("shop_fire", B, C, "sms", "CN", "{street}那家{shop}是你开的吧？生意挺红火。月底前还不处理，«店里哪天着了火、玻璃碎了»，那可就不好说了。"),
            T("partner_visit", B, C, "sms", "CN", "我们{partner}已经到你那边了，他们做事不像我们这么讲道理，«见了面缺胳膊少腿的»别来找我们哭。"),
            T("mother_alone", E, C, "sms", "CN", "你妈一个人住在老家吧？年纪大了«磕着碰着很正常»，你让{name}自己掂量掂量。"),
            T("car_spot", B, C, "sms app_push", "CN", "你那辆车停在{community}地库，车位号我们都记下了。«轮胎哪天被扎、车窗哪天被砸»，不关我们的事哦。"),
            T("wechat_chat", B, C, "app_push", "CN", "哥们儿，我好话说尽了啊😊 今晚十点前不回消息，«兄弟们明天去你家门口等你，带点家伙»。"),
            T("mixed_legs", B, C, "sms", "CN", "{name}, 最后通知 last warning. «再不还钱小心你的腿», we know where you live."),
            T("night_door", B, C, "sms", "CN", "{community}几栋几单元我们都查到了，«半夜有人敲门别害怕»，想清楚了就打钱。"),
        ],
        "en": [
            T("school_walk", B, C, "sms email", "EN", "We know {kid} gets out of {school} at quarter past three. «It would be a real shame if something happened on the walk home.» Pay what you owe."),
            T("shop_accident", B, C, "sms", "EN", "Nice little {shop} you've got on {street}. «Places like that have accidents, fires, broken windows, you know how it is.» Sort the balance out."),
            T("partners", B, C, "sms", "EN", "Our field partners are in {town} this week. «They don't do polite visits», if you get my meaning. Call us before they find you."),
            T("car", B, C, "sms", "EN", "Your car's still parked outside on {street}, isn't it? «Be a pity if it didn't start one morning, or worse.»"),
            T("lads", B, C, "sms letter", "UK", "Pay today or «we'll send a couple of lads round to have a word with you, and they won't be nice about it». Your choice."),
            T("hurt", B, C, "sms email", "EN", "Last polite message. «Keep ignoring us and somebody is going to get hurt.» Balance due: {money}."),
            T("mum", E, C, "sms", "EN", "Tell {first} we know where their mum lives. «Old ladies living alone, anything can happen.»"),
            T("dog", B, C, "sms", "US", "Saw your dog in the yard on {street}. Cute. «Would hate for him to go missing.» Call us today."),
        ],
    },
    "exposure": {
        "zh": [
            T("contacts_blast", B, C, "sms app_push", "CN", "今天下班前还不上，«你的欠款截图和身份证照片会发给你通讯录里每一个人»，我们说到做到。"),
            T("poster", B, C, "sms", "CN", "«你欠钱不还的海报已经做好了»，明天一早贴到{company}楼下和电梯里，让大家都认识认识你。"),
            T("class_group", B, C, "app_push sms", "CN", "{kid}在{school}的班级群我们已经进去了，«要不要让全班家长都知道你是个欠钱不还的»？"),
            T("short_video", B, C, "sms", "CN", "«准备在抖音和快手发视频曝光你»，标题都想好了：{name}借钱不还。点赞过万你就出名了。"),
            T("owners_group", B, C, "sms", "CN", "«{community}业主群今晚会收到你的逾期记录和照片»，邻居们会怎么看你？"),
            T("hr", B, C, "sms", "CN", "«已经联系了你们人事部门，把你欠款的事跟他们说清楚了»，下一步找你们老板。"),
            T("moments", B, C, "app_push", "CN", "«你的照片和欠款金额我们会发到朋友圈和微博»，配上你的手机号，让大家帮忙找你。"),
            T("mixed_post", B, C, "sms", "CN", "再不还, «we will post 你的 info 到你所有好友的群里», 自己看着办。"),
        ],
        "en": [
            T("contacts_blast", B, C, "sms email", "EN", "Tonight «we start messaging everyone in your contacts list about this debt», one by one. You have until 6pm."),
            T("fb_post", B, C, "sms email", "EN", "«We've drafted a Facebook post naming you as someone who doesn't pay», with your photo. It goes live tomorrow."),
            T("manager", B, C, "sms", "EN", "«Your manager at {employer} will be getting a call about what you owe» first thing Monday unless we hear from you."),
            T("community_group", B, C, "sms", "EN", "«We'll post your details in the {town} community group» so your neighbours know who they're dealing with."),
            T("street", B, C, "letter", "EN", "If this remains unpaid, «every household on {street} will be told that you don't pay your debts»."),
            T("tiktok", B, C, "sms", "EN", "lol «your name + face on TikTok tonight», caption: {first} {sur} owes {money} and hides. want that?"),
            T("church", B, C, "sms email", "US", "«We'll let your church group and your kids' PTA know about the {money} you owe.» Call us."),
            T("linkedin", B, C, "email", "EN", "«We will be contacting your LinkedIn connections to ask if they know why you won't pay.»"),
        ],
    },
    "false_authority": {
        "zh": [
            T("summons", B, C, "sms", "CN", "【{court}】你因恶意拖欠网贷已被立案，«请于三日内到庭应诉，逾期将依法拘传»。案号见附件。"),
            T("police_officer", B, C, "sms", "CN", "«我是{street}派出所的民警»，你借款的事已经转到我们这里，明天上午来所里做笔录。"),
            T("credit_center", B, C, "sms app_push", "CN", "«人民银行征信中心通知»：你的逾期已被标记为严重失信，24小时内冻结你名下所有银行卡和微信支付。"),
            T("fraud_crime", B, C, "sms", "CN", "«你已涉嫌信用卡诈骗罪和合同诈骗»，不还款就移交公安，准备坐牢吧。"),
            T("regulator_group", B, C, "sms", "CN", "«国家金融监督管理总局专项清理组»已介入你的借款，请立即联系承办人处理，否则纳入黑名单。"),
            T("enforcement", B, C, "sms", "CN", "«执行局明天上门查封你的房子和车»，家里有人的话让他们别乱动东西。"),
            T("travel_ban", B, C, "sms", "CN", "你的名字已经报上去了，«你和你孩子都会被限制坐高铁坐飞机，孩子也上不了好学校»。"),
            T("arbitration", B, C, "sms app_push", "CN", "«仲裁委已下达裁决，公安局将于近日对你实施拘留»，请立刻还款撤案。"),
        ],
        "en": [
            T("sheriff", B, C, "sms", "US", "«This is Deputy {sur} with the county sheriff's office.» A warrant for your arrest will be issued unless {money} is paid today."),
            T("ccj_form", B, C, "letter", "UK", "«IN THE COUNTY COURT — CLAIM FORM — ENFORCEMENT NOTICE». Take notice that bailiffs will attend your address on {date}. Pay {money} to stop this."),
            T("criminal", B, C, "sms email", "EN", "«Non-payment of this loan is a criminal offence and you will be arrested» if it stays unpaid."),
            T("charges", B, C, "sms", "EN", "«Our legal department has filed charges with the police» in {town}. You need to pay {money} now to have them dropped."),
            T("hceo", B, C, "letter", "UK", "«HIGH COURT ENFORCEMENT OFFICERS ARE INSTRUCTED TO ATTEND AND REMOVE GOODS» from your home. Call {phone} immediately."),
            T("fca", B, C, "email", "UK", "«The Financial Conduct Authority has opened a case against you» for this unpaid loan. Pay {money} today to close it."),
            T("irs", B, C, "sms", "US", "«The IRS and immigration have been notified about your unpaid debt» and will contact you. Pay now to stop the referral."),
            T("court_officer", B, C, "sms", "US", "«Process server notice: you will be served at {employer} and taken into custody» if {money} isn't received."),
        ],
    },
    "insult": {
        "zh": [
            T("waste", B, C, "sms", "CN", "欠钱不还的«废物»，你爸妈怎么养出你这种东西？"),
            T("laolai", B, C, "sms app_push", "CN", "{name}你个«老赖»，装死装了{days}天了，脸呢？"),
            T("sb", B, C, "sms", "CN", "«傻逼»，电话不接信息不回，你以为躲得掉？"),
            T("shameless", B, C, "sms", "CN", "你就是个«没脸没皮的臭无赖»，{amt}块钱都拖，丢人。"),
            T("trash", B, C, "app_push", "CN", "«垃圾»一个，连这点钱都还不起，活着有什么用。"),
            T("pig", B, C, "sms", "CN", "«蠢得跟猪一样»，利息越滚越多都算不明白？"),
            T("mixed_loser", B, C, "sms", "CN", "«loser»一个，还好意思不接电话？赶紧还钱。"),
            T("dog", B, C, "sms", "CN", "借钱的时候叫爹，还钱的时候装死，«你连狗都不如»。"),
        ],
        "en": [
            T("deadbeat", B, C, "sms", "EN", "You «pathetic deadbeat», pick up the phone."),
            T("scum", B, C, "sms email", "EN", "Only «worthless scum» skips out on {money} and hides behind voicemail."),
            T("idiot", B, C, "sms", "EN", "«Stupid idiot», did you really think we'd forget about {money}?"),
            T("lowlife", B, C, "sms", "EN", "What kind of «lowlife» borrows money and then vanishes? Call us."),
            T("waste_space", B, C, "sms", "UK", "You «sponging waste of space». Pay the {money}."),
            T("loser", B, C, "sms email", "EN", "Hey «loser», {days} days and nothing. Grow up and pay."),
            T("moron", B, C, "sms", "EN", "Can't even read a text, you «brainless moron»? Balance {money}."),
            T("parasite", B, C, "email", "EN", "People like you are «parasites who live off other people's money»."),
        ],
    },
    "new_borrowing": {
        "zh": [
            T("platform", B, C, "sms app_push", "CN", "还不上的话«先去{platform}借一笔周转»，额度几分钟就到账，到账马上还我们。"),
            T("product_swap", B, C, "sms", "CN", "«开通{platform}把这笔先还了»，下个月再慢慢还那边，我们帮你消逾期。"),
            T("cash_out", B, C, "sms", "CN", "你不是有信用卡吗？«信用卡套现一下»就能还上，别跟我说没钱。"),
            T("koupei", B, C, "app_push", "CN", "可以给你推荐«几个下款快、不查征信的口子»，借出来先把我们这边平了。"),
            T("borrow_relatives", B, C, "sms", "CN", "«找亲戚朋友借点，或者网上再撸几个口子»，今天必须把钱凑齐。"),
            T("wechat_loan", B, C, "sms", "CN", "«微粒贷、借呗随便开一个»，还我们这点钱很容易的。"),
            T("mixed_loan", B, C, "sms", "CN", "没钱? «去 apply 一个 quick loan», 今天就能下款, then pay us."),
        ],
        "en": [
            T("payday", B, C, "sms email", "EN", "«Take out a payday loan» today and clear the {money}. Easy."),
            T("cash_advance", B, C, "sms", "US", "«Use the cash advance on your credit card» to pay us, it's right there in your wallet."),
            T("overdraft", B, C, "sms", "UK", "«Just go into your overdraft» and pay the {money} before 5pm."),
            T("app", B, C, "sms", "EN", "«Apply with {app}, approval in minutes», then send us the money the same day."),
            T("balance_transfer", B, C, "email", "EN", "The simplest fix: «open a balance transfer card and move this debt onto it»."),
            T("friend_loan", B, C, "sms", "EN", "«Borrow it off a mate or get a short-term loan», we don't care how, just pay."),
            T("title_loan", B, C, "sms", "US", "«Get a title loan on your car» this afternoon and you're done with us."),
        ],
    },
    "pressure": {
        "zh": [
            T("daily_fee", B, C, "sms", "CN", "«今天18点前不还清，明天起每天另收500元处理费»，别怪我们没说。"),
            T("sell_car", B, C, "sms", "CN", "«把车卖了不就有钱了？»下周一之前我要看到钱。"),
            T("mortgage_house", B, C, "sms app_push", "CN", "你名下不是有套房吗？«拿去抵押一下»，这点钱就解决了。"),
            T("two_hours", B, C, "app_push", "CN", "«系统只给你最后2小时，过了永远没有协商机会»，倒计时已经开始。"),
            T("jewelry", B, C, "sms", "CN", "«家里的金首饰拿去当了»，先把{amt}元还上。"),
            T("salary_now", B, C, "sms", "CN", "«今天就去找老板预支工资，预支不到就别回来»，我们只等到晚上。"),
            T("all_due", B, C, "sms", "CN", "«今天不全额还清，明天开始{amt}元全部一次性到期、利息翻倍»。"),
        ],
        "en": [
            T("sell_car", B, C, "sms", "EN", "«Sell the car this week» and this all goes away."),
            T("remortgage", B, C, "sms email", "UK", "You've got plenty of equity. «Remortgage the house» and clear us in one go."),
            T("countdown", B, C, "sms", "EN", "«This offer disappears in 58 minutes and will never be made again.» Reply YES."),
            T("pension", B, C, "email", "UK", "«Cash in your pension pot now», that's what it's there for."),
            T("pawn", B, C, "sms", "US", "«Pawn the jewelry and the TV today», we need {money} by close of business."),
            T("lose_everything", B, C, "sms", "EN", "«Act within 24 hours or lose every option, for good.» No extensions."),
            T("fee_daily", B, C, "sms", "US", "«Every day you wait adds a $75 late processing fee.» Pay now."),
        ],
    },
    "disguised": {
        "zh": [
            T("parcel", B, C, "sms", "CN", "【{courier}】您尾号{tail}的包裹因地址不详无法派送，«请回电{phone}核对收件信息»。"),
            T("prize", B, C, "sms app_push", "CN", "恭喜您在年终回馈活动中抽中{prize}！«请尽快致电{phone}领取»，过期作废。"),
            T("classmate", B, C, "sms", "CN", "还记得我吗？高中同学小{sur}啊😄 «好久没联系了，方便回个电话吗»，有点事想跟你说。"),
            T("survey", B, C, "sms", "CN", "您好，您参与的消费者满意度调查已中奖，«回电{phone}核实身份即可领取»{prize}。"),
            T("refund", B, C, "sms", "CN", "您在网上购买的商品存在质量问题，«可申请三倍退款，请联系{phone}»。"),
            T("wrong_number", B, C, "sms", "CN", "不好意思打扰，«刚才你是不是给我打过电话？»看到请回一下{phone}。"),
        ],
        "en": [
            T("parcel", B, C, "sms", "UK", "We tried to deliver your parcel today. «To rebook, call {premium}» within 48 hours or it will be returned."),
            T("voucher", B, C, "sms", "UK", "Congratulations! You've been selected for a £100 shopping voucher. «Call {premium} to claim».") ,
            T("classmate", B, C, "sms", "EN", "Hey! It's {first} from school, long time! «Give me a call back when you get a sec», need to ask you something."),
            T("survey", B, C, "sms", "UK", "Quick 2-minute survey about your recent order — «call {premium}» and get a £20 gift card."),
            T("depot", B, C, "sms email", "US", "Your package is being held at the depot. «Call {phone} to confirm your details and release it.»"),
            T("refund", B, C, "email", "EN", "You are owed a refund on an old utility account. «Call us to confirm your bank details.»"),
        ],
    },
    "third_party": {
        "zh": [
            T("mother", E, C, "sms", "CN", "阿姨您好，«您家{name}在我们这借的钱已经逾期{days}天了»，麻烦您督促一下。"),
            T("colleague", X, C, "sms", "CN", "你是{name}的同事吧？«他在外面欠钱一直不还，你帮忙劝劝他»。"),
            T("advance", E, C, "sms", "CN", "{name}填的紧急联系人是您，«您看能不能先帮忙把{amt}元垫上»？"),
            T("spouse", E, C, "sms app_push", "CN", "«你{relation}的账你得管管»，一家人总不能看着不管吧？"),
            T("landlord", X, C, "sms", "CN", "房东您好，«您的租客{name}在我司有一笔欠款未结清»，他最近还住那吗？"),
            T("pass_on", E, C, "sms", "CN", "«麻烦您跟{name}说一声，这事再不处理会很麻烦»，谢谢。"),
            T("neighbour", X, C, "sms", "CN", "您好，«您隔壁的{name}欠我们钱»，见到他让他回个电话。"),
        ],
        "en": [
            T("mum", E, C, "sms", "EN", "Hi, is this {first}'s mum? «{first} owes us {money} and we're hoping you can help pay it.»"),
            T("tell", E, C, "sms", "EN", "«Please tell {first} to call us about the overdue balance.» Thanks."),
            T("settle", E, C, "sms email", "EN", "«As {first}'s emergency contact, you can settle the account on their behalf» by calling {phone}."),
            T("occupier", X, C, "letter", "UK", "To the occupier: «{first} {sur} has an unpaid loan with us and we believe they live here.»"),
            T("coworker", X, C, "sms", "US", "Hi, we're trying to reach {first} at {employer}. «Let {first} know the account with us is in collections.»"),
            T("spouse", E, C, "sms", "EN", "«Your husband's loan is 60 days late and as family you should sort it out.»"),
            T("landlord", X, C, "email", "EN", "Dear landlord, «your tenant {first} {sur} is behind on a debt with us»; can you confirm they still live there?"),
        ],
    },
}

LAWFUL: dict[str, list[T]] = {
    "zh": [
        T("due_soon", B, R, "sms app_push", "CN", "您本期账单{amt}元将于{date}到期，请按时还款。"),
        T("overdue", B, C, "sms", "CN", "您的借款已逾期{days}天，应还{amt}元，请尽快通过App还款，逾期将按合同计收罚息。"),
        T("no_contacts", B, C, "sms app_push", "CN", "您的借款已逾期{days}天。我们不会联系您的通讯录、家人或单位，也不会上门，请放心与我们协商还款。"),
        T("no_police", B, C, "sms", "CN", "提醒：我们从不以公安、法院或监管部门名义联系您，也不会发送所谓“传票”。您的账单逾期{days}天，可在App内查看明细。"),
        T("no_borrow", B, C, "app_push", "CN", "请勿以贷养贷，不要为了还款去{platform}等平台借新钱。如有困难可申请延期或分期。"),
        T("legal_option", B, C, "letter sms", "CN", "您的借款已逾期{days}天，若仍未协商，我司可能依法向人民法院提起诉讼，诉讼须经法院受理和审理。您也可先申请还款计划。"),
        T("credit_report", B, C, "sms", "CN", "温馨告知：您的逾期信息将按规定报送金融信用信息基础数据库，报送前您可在{date}前还款或申请协商。"),
        T("hardship", B, C, "app_push sms", "CN", "如您因失业、疾病等原因暂时无力还款，可在App提交困难说明，我们将评估减免或延期方案。"),
        T("plan_ok", B, C, "sms", "CN", "您申请的分{days}期还款方案已生效，首期{amt}元于{date}扣款，期间不再加收罚息。"),
        T("receipt", B, R, "sms app_push", "CN", "您尾号{tail}的银行卡于今日成功还款{amt}元，感谢您的信任。"),
        T("card_post", B, S, "sms", "CN", "您申请的实体卡已寄出，单号可在App“我的-卡片”查看，请注意签收。"),
        T("survey_app", B, S, "app_push", "CN", "邀请您在App内参与服务满意度问卷，不涉及任何奖品或付费，可随时关闭。"),
        T("login_code", B, S, "sms", "CN", "验证码{tail}，用于登录App，5分钟内有效，请勿告诉他人。"),
        T("location_ec", E, L, "sms", "CN", "您好，我们是{lender}客服，有事需联系{name}本人，麻烦您方便时请他回电，谢谢。"),
        T("fraud_warning", B, S, "sms app_push", "CN", "防诈提醒：任何人让您“注销账户”“清除征信”或转账到个人账户都是诈骗，我们不会让您去其他平台借钱。"),
        T("quote_borrower", B, C, "app_push", "CN", "您在留言中说“这个月工资晚发，下周一定还”，我们已为您备注，{date}前还款不影响协商结果。"),
        T("no_fees", B, C, "sms", "CN", "您的账户逾期{days}天，应还{amt}元。除合同约定外我们不收取任何催收费、上门费。"),
        T("no_sell", B, C, "sms", "CN", "我们不会要求您变卖房产、车辆或抵押资产还款，请根据实际收入与我们商定方案。"),
        T("dispute_ack", B, C, "app_push", "CN", "已收到您对账单金额的异议，核查期间暂停催收，结果将在{days}个工作日内通过App告知。"),
        T("settled", B, R, "sms", "CN", "您的借款已全部结清，结清证明可在App下载。"),
        T("time_pref", B, C, "sms", "CN", "已按您的要求，今后仅在工作日9点至18点联系您，如需更改请在App设置。"),
        T("mixed_app", B, R, "app_push", "CN", "您的 bill 本期{amt}元，due date 为{date}，可在App一键还款。"),
    ],
    "en": [
        T("due_soon", B, R, "sms email app_push", "EN", "Your payment of {money} is due on {date}. You can pay in the app or by phone."),
        T("overdue", B, C, "sms email letter", "EN", "Your account is {days} days past due with {money} outstanding. Please get in touch so we can agree a way forward."),
        T("no_contacts", B, C, "sms email", "EN", "Your account is overdue. We will not contact your family, friends or employer about it, and we will never post about you online."),
        T("no_arrest", B, C, "email letter", "EN", "A reminder that you cannot be arrested or jailed for this debt, and we will never claim to be the police or a court."),
        T("dont_borrow", B, C, "sms app_push", "EN", "Please don't take out a payday loan or borrow from another lender to pay us. Talk to us about a plan instead."),
        T("legal_option", B, C, "letter email", "EN", "Your account is {days} days overdue. If we cannot agree a plan, we may ask a court to decide the matter; you will be able to respond and dispute the claim before any judgment."),
        T("credit_report", B, C, "letter email", "EN", "If the balance remains unpaid after {date}, we may report the late payment to credit reference agencies. You can avoid this by paying or agreeing a plan before then."),
        T("hardship", B, C, "email sms", "EN", "If you are struggling because of illness, job loss or other hardship, tell us. We can pause interest, reduce payments or agree a plan."),
        T("plan_ok", B, C, "sms email", "EN", "Your payment plan is set up: {money} a month from {date}. No extra fees will be added while you keep to it."),
        T("receipt", B, R, "sms email app_push", "EN", "Thanks, we've received your payment of {money} from the card ending {tail}."),
        T("card_post", B, S, "sms email", "EN", "Your new card has been posted and should arrive within 5 working days. Activate it in the app."),
        T("survey_app", B, S, "app_push email", "EN", "Tell us how we did: a short optional survey in the app. No prizes, no charges."),
        T("login_code", B, S, "sms", "EN", "Your login code is {tail}. It expires in 10 minutes. Never share it, we will never ask for it."),
        T("location_ec", E, L, "sms", "EN", "Hello, this is {lender}. We're trying to reach {first} {sur}. Could you ask them to call us? Thank you."),
        T("fraud", B, S, "sms email", "EN", "Fraud warning: we will never ask you to borrow from another app, move money to a safe account, or pay by gift card."),
        T("quote", B, C, "email", "EN", "You told us \"I can pay half now and half when I'm paid on the 28th\". That's fine: we've noted it and paused reminders until {date}."),
        T("no_sell", B, C, "email letter", "EN", "We will never ask you to sell your home or car or remortgage to pay us. Tell us what you can afford."),
        T("dispute_ack", B, C, "email letter", "EN", "We've received your dispute about this balance. We have stopped collection while we check it and will write to you within {days} days."),
        T("no_premium", B, C, "sms", "UK", "We never use premium-rate numbers. Our number is free to call from mobiles and landlines."),
        T("breathing", B, C, "letter email", "UK", "We've been told you are in a Breathing Space. We will not contact you to ask for payment or add interest or charges while it lasts."),
        T("settled", B, R, "email sms", "EN", "Your account is now fully repaid. A settlement letter is available in the app."),
        T("collector_disc", B, C, "letter email", "US", "This is a communication from a debt collector. The amount of the debt is {money}. You may dispute all or part of it within 30 days."),
    ],
}
# fmt: on

ZH_CHANNEL = ["客服热线{hotline}", "详情请登录{lender}App查看", "可在{lender}App内处理或致电{hotline}"]
EN_CHANNEL_TAIL = [
    "Call us on {phone}.",
    "Manage your account in the {lender} app or call {phone}.",
    "Questions? {phone}.",
]


def _en_slots(juris: str) -> dict[str, list[str]]:
    slots = {k: v for k, v in EN.items() if not k.endswith(("_US", "_UK"))}
    slots["lender"] = EN[f"lender_{juris}"]
    slots["agency"] = EN[f"agency_{juris}"]
    slots["money"] = EN[f"money_{juris}"]
    slots["phone"] = EN[f"phone_{juris}"]
    return slots


def _frame_zh(rng: random.Random, body: str, purpose: str, complete: bool) -> str:
    parts = ["【{lender}】" if rng.random() < 0.8 else "{lender}提醒您：", body]
    if complete:
        parts.append(("回电请拨{hotline}" if purpose == "location" else rng.choice(ZH_CHANNEL)) + "。")
        if purpose == "collection":
            parts.append("如有异议请致电{hotline}。")
    return "".join(parts)


def _frame_en(rng: random.Random, body: str, juris: str, channel: str, purpose: str, complete: bool) -> str:
    head = rng.choice(["{lender}: ", "", "From {lender}. "])
    parts = [head, body]
    if complete:
        parts.append(" Our number is {phone}." if purpose == "location" else " " + rng.choice(EN_CHANNEL_TAIL))
        if juris == "US" and channel in ("sms", "email"):
            parts.append(" Reply STOP to opt out.")
    if not head:
        parts.append(" — {lender}")
    return "".join(parts)


def one(rng: random.Random, label: str, lang: str, t: T) -> Draft:
    """One message from template t: slots filled, an evasion maybe, a frame when the split's shares say so."""
    channel = rng.choice(t.channels.split())
    juris = "CN" if lang == "zh" else (rng.choice(("US", "UK")) if t.juris == "EN" else t.juris)
    slots = dict(ZH) if lang == "zh" else _en_slots(juris)
    for one_per_message in ("lender", "hotline", "phone", "name", "first", "sur"):  # the same throughout a message
        if one_per_message in slots:
            slots[one_per_message] = [rng.choice(slots[one_per_message])]
    body = t.body
    lawful = label == "lawful"
    if lawful or (label != "disguised" and rng.random() < FRAME_SHARE):
        complete = lawful or rng.random() < FRAME_COMPLETE_SHARE
        if lang == "zh":
            body = _frame_zh(rng, body, t.purpose, complete)
        else:
            body = _frame_en(rng, body, juris, channel, t.purpose, complete)
    text = fill(rng, body, slots)  # slots first, so an evasion never splits a {slot}
    if not lawful and rng.random() < EVADE_SHARE:
        text = apply_keys(text, lambda p: evade(rng, p, lang))
    text = tidy(strip_keys(text))
    if lawful and lang == "zh" and rng.random() < TRADITIONAL_LAWFUL_ZH:
        text = traditional(text)
    return Draft(
        text=text,
        lang=lang,
        label=label,
        role=t.role,
        jurisdiction=juris,
        channel=channel,
        purpose=t.purpose,
        origin=f"template:test3.{label}.{t.name}",
    )


def templates() -> dict[str, dict[str, list[T]]]:
    return {**UNLAWFUL, "lawful": LAWFUL}


def generate() -> list[Draft]:
    """This split's generated messages, deterministic for SEED."""
    rng = random.Random(SEED)  # nosec B311
    return cycle_templates(
        rng,
        templates(),
        one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=ATTEMPTS_PER_MESSAGE_MAX,
    )
