"""Generated messages of the dev4 training split: its own templates, fillers, evasion tables and sender names.

Written for breadth (the learned layer trains on it): many voices and registers, lawful messages framed
completely (sender, official callback, CN objection route, US opt-out), unlawful ones carrying one intent
each, with evasions applied to the «key phrase» of a template. See README.md in this folder.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from fairdue.bench.content_corpus import generate as gen
from fairdue.bench.content_corpus.generate import Draft

SPLIT = "dev4"
SEED = 40_417
UNLAWFUL_PER_INTENT_LANG = 19
LAWFUL_PER_LANG = 155
ATTEMPTS_PER_MESSAGE_MAX = 40

# --- senders, numbers, framing ---------------------------------------------------------------------------------
ZH_SENDERS = (
    "【禾丰消费金融】",
    "【青梧钱包】",
    "【安澜银行信用卡中心】",
    "【拾光分期】",
    "【泓远小额贷款公司】",
    "【甬商银行】",
    "【朗月金融】",
    "【小橙分期·客服】",
)
ZH_PHONES = ("400-821-6630", "95177", "400-690-1288", "021-6133-0800", "400-117-5526", "95563")
EN_SENDERS = (
    "Harborline Credit",
    "Northfield Lending",
    "Mapleway Finance",
    "Brightwater Card Services",
    "Kestrel Receivables",
    "Thistle Money",
    "Juniper Loans",
    "Cobalt Bank",
)
US_PHONES = ("1-866-555-0142", "(888) 555-0199", "1-877-555-0163", "800-555-0117")
UK_PHONES = ("0330 123 4567", "0800 031 4455", "0345 600 7211", "0300 555 0190")

ZH_OBJECTION = (
    "如有异议请致电{phone}。",
    "如有异议请致电{phone}，或在App内提交。",
    "如有异议请致电{phone}（工作日9-18点）。",
)
US_OPTOUT = ("Reply STOP to opt out.", "Reply STOP to stop texts.", "Reply STOP to unsubscribe from these messages.")
US_EMAIL_OPTOUT = (
    "Reply STOP to this email to opt out of email contact.",
    "To stop emails, Reply STOP or use the unsubscribe link below.",
)

# --- fillers ---------------------------------------------------------------------------------------------------
SLOTS: dict[str, Sequence[str]] = {
    "name_zh": ("张先生", "李女士", "王伟", "刘女士", "陈先生", "周敏", "赵先生", "黄女士", "吴先生", "林小姐", "老孙"),
    "amt_zh": ("1,286.40元", "3,920元", "758.00元", "12,600元", "2,315.55元", "466元", "9,880.20元", "5,000元"),
    "day_zh": ("3月18日", "本月25日", "6月2日", "明天", "10月9日", "本周五"),
    "dpd_zh": ("7", "15", "32", "61", "4", "90", "120"),
    "item_zh": ("手机分期", "空调分期", "电脑分期", "e卡账单", "信用卡账单", "租机订单", "电动车分期"),
    "plan_zh": ("分6期", "分12期", "延期30天", "停息挂账", "个性化分期", "先还最低额"),
    "kin_zh": ("你老婆", "你爸妈", "你儿子", "你女儿", "你家老人", "你老公", "你媳妇"),
    "place_zh": ("你们小区", "你单位门口", "你老家村里", "你孩子学校", "你公司楼下", "你租的房子"),
    "group_zh": ("通讯录", "微信群", "家族群", "公司群", "朋友圈", "同学群", "抖音"),
    "loan_zh": ("借呗", "微粒贷", "京东金条", "美团借钱", "度小满", "网贷口子", "信用卡套现", "分期乐"),
    "asset_zh": ("房子", "车", "金首饰", "手机", "电动车", "老家的宅基地", "嫁妆"),
    "name_en": ("Mr Hughes", "Ms Patel", "Dana", "Mr Ortiz", "Mrs Whitfield", "Jordan", "Ms Okafor", "Mr Kowalski"),
    "amt_us": ("$412.88", "$1,940.00", "$86.15", "$3,275.40", "$629.99", "$2,110.75"),
    "amt_uk": ("£218.60", "£1,045.00", "£57.30", "£764.12", "£3,480.00", "£129.95"),
    "day_en": ("March 14", "the 28th", "Friday", "June 3", "the end of the month", "10 May"),
    "dpd_en": ("9", "21", "35", "62", "94", "5"),
    "item_en": ("phone plan", "laptop instalment plan", "store card", "e-card balance", "sofa finance", "credit line"),
    "kin_en": ("your wife", "your kids", "your mom", "your husband", "your elderly dad", "your little girl"),
    "place_en": ("your house", "your job", "your kid's school", "your street", "your church", "your mother's place"),
    "group_en": (
        "everyone in your contacts",
        "your boss",
        "your Facebook friends",
        "your WhatsApp groups",
        "HR at your work",
        "your neighbours",
        "your TikTok followers",
    ),
    "loan_en": (
        "a payday loan",
        "a cash advance on your credit card",
        "a logbook loan",
        "a 401(k) loan",
        "a loan from a friend",
        "a buy-now-pay-later app",
        "an overdraft",
    ),
    "asset_en": ("your car", "your house", "your wedding ring", "your TV", "your tools", "the motorbike"),
}

# --- evasions: applied to the key phrase of a template ------------------------------------------------------------
ZH_HOMOPHONES: dict[str, Sequence[str]] = {
    "通讯录": ("通迅录", "tong讯录", "通訊錄", "txl", "通讯彔"),
    "老赖": ("老lai", "佬赖", "LL", "老癞"),
    "法院": ("fa院", "法阮", "法yuan", "珐院"),
    "警察": ("jing察", "警嚓", "JC", "条子"),
    "坐牢": ("坐劳", "zuo牢", "座牢", "进去"),
    "拘留": ("拘liu", "句留", "狗留"),
    "废物": ("废wu", "fw", "費物"),
    "畜生": ("畜牲", "chu生", "cs"),
    "不要脸": ("不要lian", "bylian", "不要険"),
    "去死": ("qu死", "去si", "趣死"),
    "砍": ("坎", "kan", "侃"),
    "打断": ("打短", "da断", "打斷"),
    "曝光": ("爆光", "bao光", "暴光"),
    "网贷": ("王贷", "wd", "网袋"),
    "借": ("介", "jie"),
    "卖房": ("卖fang", "麦房", "賣房"),
    "征信": ("正信", "zx", "征xin"),
    "冻结": ("冻jie", "栋结"),
    "快递": ("快第", "kd", "快遞"),
    "中奖": ("中jiang", "中獎", "钟奖"),
    "欠款": ("欠kuan", "纤款", "欠歀"),
    "催收": ("崔收", "cs", "催shou"),
    "家人": ("家ren", "加人"),
    "通知": ("通zhi", "痛知"),
}
EN_SUBS: dict[str, Sequence[str]] = {
    "arrest": ("arr3st", "a.r.r.e.s.t", "4rrest", "arest"),
    "warrant": ("w@rrant", "warr4nt", "warant"),
    "police": ("p0lice", "po-lice", "popo", "cops"),
    "court": ("c0urt", "kourt", "crt"),
    "jail": ("j@il", "jai1", "gaol", "the slammer"),
    "hurt": ("hurtt", "h*rt", "hu.rt"),
    "kill": ("k1ll", "ki11", "unalive"),
    "idiot": ("id1ot", "1d10t", "idjit"),
    "loser": ("l0ser", "lo$er", "LSR"),
    "deadbeat": ("dead beat", "d3adbeat", "deadbeet"),
    "scum": ("sc*m", "skum", "$cum"),
    "everyone": ("every1", "evry1", "e-v-e-r-y-o-n-e"),
    "post": ("p0st", "p.o.s.t"),
    "borrow": ("b0rrow", "borow", "b-o-r-r-o-w"),
    "payday": ("pay-day", "p@yday", "PDL"),
    "sell": ("s3ll", "$ell"),
    "today": ("2day", "tday", "TODAY!!!"),
    "parcel": ("p@rcel", "parsel", "pkg"),
    "prize": ("pr1ze", "prise"),
    "owes": ("0wes", "owez"),
    "debt": ("d3bt", "dett", "det"),
    "contacts": ("c0ntacts", "contacs", "contactz"),
}
ZH_SEPS = (" ", "*", "·", "/", "_", "-", "❤", "🔪", "～", "|")
EN_SEPS = (".", " ", "-", "*", "_")
LEET = str.maketrans({"a": "@", "o": "0", "i": "1", "e": "3", "s": "$"})


def _evade_zh(rng: random.Random, phrase: str) -> str:
    op = rng.randrange(7)
    if op == 0:
        return gen.substitute(rng, phrase, ZH_HOMOPHONES)
    if op == 1:
        return gen.pinyin_one(rng, phrase)
    if op == 2:
        sep = rng.choice(ZH_SEPS)
        return gen.between(phrase, lambda: sep)
    if op == 3:
        return gen.traditional(phrase)
    if op == 4:
        return gen.full_width(gen.substitute(rng, phrase, ZH_HOMOPHONES))
    if op == 5:
        return gen.traditional(gen.substitute(rng, phrase, ZH_HOMOPHONES))
    return gen.between(gen.pinyin_one(rng, phrase), lambda: rng.choice(ZH_SEPS))


def _evade_en(rng: random.Random, phrase: str) -> str:
    op = rng.randrange(6)
    if op == 0:
        return gen.substitute(rng, phrase, EN_SUBS)
    if op == 1:
        sep = rng.choice(EN_SEPS)
        return " ".join(gen.between(w, lambda: sep) if len(w) > 3 else w for w in phrase.split(" "))
    if op == 2:
        return gen.full_width(phrase)
    if op == 3:
        return phrase.translate(LEET)
    if op == 4:
        return phrase.upper()
    return gen.substitute(rng, phrase, EN_SUBS).replace(" ", "  ")


# --- templates -------------------------------------------------------------------------------------------------
# (name, body, roles, channels, purpose, framed): «key phrase» gets an evasion; framed bodies get sender/callback.
Template = tuple[str, str, tuple[str, ...], tuple[str, ...], str, bool]
B = ("borrower",)
EC = ("emergency_contact",)
TP = ("third_party", "emergency_contact")
ALL_CH = ("sms", "app_push", "email", "letter")
SHORT = ("sms", "app_push")

TEMPLATES: dict[str, dict[str, list[Template]]] = {
    "threat_harm": {
        "zh": [
            ("knife", "{name_zh}，{amt_zh}再拖一天，小心我们的人带«刀»上门", B, SHORT, "collection", False),
            (
                "kin",
                "{kin_zh}每天几点出门我们都清楚，钱不到账，家里人出点什么事«别怪我们»",
                B,
                SHORT,
                "collection",
                True,
            ),
            ("legs", "听好了，{day_zh}前不还，«打断你的腿»，说到做到", B, SHORT, "collection", False),
            ("place", "兄弟们已经在{place_zh}蹲你了，不还钱今晚就让你«见血»", B, ALL_CH, "collection", False),
            ("fire", "{item_zh}逾期{dpd_zh}天，再装死你家门口那辆车就«一把火点了»", B, SHORT, "collection", True),
            ("night", "欠钱不还睡得着？晚上«走路小心点»，{place_zh}路灯可不亮", B, SHORT, "collection", False),
            ("paint", "{name_zh}，下周我们给你家门«泼油漆»，邻居都来看", B, SHORT, "collection", False),
        ],
        "en": [
            (
                "kin",
                "We know where {kin_en} goes every day. Pay {amt_en} or «something might happen» to them.",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "visit",
                "Our guys are parked outside {place_en}. Pay today or we «break a few things».",
                B,
                SHORT,
                "collection",
                True,
            ),
            (
                "legs",
                "Last warning {name_en}. {amt_en} by {day_en} or you'll «get hurt». Simple.",
                B,
                ALL_CH,
                "collection",
                False,
            ),
            (
                "car",
                "Be a shame if {asset_en} caught «fire» one night wouldn't it. {amt_en} still owing.",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "walk",
                "Watch your back walking home {name_en}. «accidents happen» to people who don't pay.",
                B,
                SHORT,
                "collection",
                True,
            ),
            (
                "door",
                "Keep ignoring us and we'll «kick your door in». {dpd_en} days late is long enough.",
                B,
                SHORT,
                "collection",
                False,
            ),
        ],
    },
    "exposure": {
        "zh": [
            (
                "book",
                "{name_zh}，今天下午统一给你«{group_zh}»里所有人发催收短信，自己看着办",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "poster",
                "{item_zh}已逾期{dpd_zh}天，你的照片和身份证明天贴到{place_zh}，让大家认识«老赖»",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            ("video", "不还就把你做成«视频发抖音»，配上你的身份证号，看你以后怎么做人", B, SHORT, "collection", False),
            ("boss", "已整理好你的欠款材料，{day_zh}«发给你们领导和人事»，工作还想要吗", B, SHORT, "collection", True),
            (
                "group",
                "再不处理，拉个群把你«{group_zh}»好友全拉进来，公开说明你欠{amt_zh}不还",
                B,
                SHORT,
                "collection",
                False,
            ),
            ("ps", "你的P图已经做好了，标题«欠钱不还的骗子»，就差发出去了", B, SHORT, "collection", False),
        ],
        "en": [
            (
                "contacts",
                "We have your phone contacts. By {day_en} «everyone» in there gets a message that you don't pay your debts.",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "boss",
                "Pay the {amt_en} or we «email your boss» and tell HR exactly what kind of person you are.",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "social",
                "Your photo is going on our «Facebook deadbeat page» tonight unless we get {amt_en}.",
                B,
                SHORT,
                "collection",
                False,
            ),
            ("tag", "We'll «post» about your {item_en} and tag {group_en}. Your call.", B, SHORT, "collection", False),
            (
                "flyer",
                "Flyers with your name and «what you owe» go up around {place_en} on {day_en}.",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "list",
                "You're going on our public list of «non-payers» unless you settle {amt_en} this week.",
                B,
                ALL_CH,
                "collection",
                False,
            ),
        ],
    },
    "false_authority": {
        "zh": [
            (
                "court",
                "【{court}】您因{item_zh}拖欠被立案，{day_zh}前不缴清将«强制执行»并冻结名下账户",
                B,
                ALL_CH,
                "collection",
                False,
            ),
            ("police", "本人是«派出所民警»，你的借款纠纷已转为诈骗案件，请立即联系处理", B, SHORT, "collection", False),
            (
                "record",
                "逾期{dpd_zh}天已达刑事标准，再不还款将«上门拘留»，并留下案底影响子女政审",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "bureau",
                "【征信中心】您已被列入«失信黑名单»，高铁飞机全部限制，请于{day_zh}前还款{amt_zh}",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "regulator",
                "«金融监管总局»通报：您名下{item_zh}涉嫌恶意逃废债，须24小时内结清",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "lawyer",
                "律师函（正式文书）：法院已下达«传票»，{name_zh}请于{day_zh}到庭，否则按拒不执行判决罪处理",
                B,
                ("letter", "email"),
                "collection",
                True,
            ),
        ],
        "en": [
            (
                "warrant",
                "NOTICE: a «warrant» has been requested for {name_en} over unpaid {amt_en}. Call now to avoid arrest.",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "sheriff",
                "This is the «sheriff's office» debt unit. Your {item_en} is now a criminal matter.",
                B,
                ALL_CH,
                "collection",
                False,
            ),
            (
                "court",
                "COUNTY COURT ENFORCEMENT: «bailiffs» will attend {place_en} on {day_en} unless {amt_en} is paid.",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "jail",
                "Failure to pay {amt_en} by {day_en} may result in «jail time» for fraud.",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "hmrc",
                "Official «HM Courts» notice: judgment entered against you. Pay {amt_en} to stop enforcement.",
                B,
                ALL_CH,
                "collection",
                False,
            ),
            (
                "fbi",
                "Your file has been flagged to the «federal fraud division». Settle {amt_en} now.",
                B,
                SHORT,
                "collection",
                False,
            ),
        ],
    },
    "insult": {
        "zh": [
            ("waste", "{name_zh}你个«废物»，{amt_zh}都还不起还活着干嘛", B, SHORT, "collection", False),
            ("beast", "欠钱不还的«畜生»，{dpd_zh}天了电话也不接", B, SHORT, "collection", True),
            ("shame", "真«不要脸»，借钱的时候怎么不装死？", B, SHORT, "collection", False),
            ("die", "这种人早点«去死»算了，{item_zh}拖了{dpd_zh}天", B, SHORT, "collection", False),
            ("sb", "你是不是«脑子有病»？{day_zh}说还又没还", B, SHORT, "collection", True),
            ("dog", "跟条«狗»一样躲着，{name_zh}你还算个人吗", B, SHORT, "collection", False),
        ],
        "en": [
            ("idiot", "Listen you «idiot», {amt_en} is overdue and we're sick of you.", B, SHORT, "collection", False),
            ("loser", "Typical «loser». {dpd_en} days late and still hiding.", B, SHORT, "collection", True),
            ("scum", "People like you are «scum». Pay the {amt_en}.", B, ALL_CH, "collection", False),
            ("deadbeat", "Pathetic «deadbeat». Even {kin_en} must be ashamed of you.", B, SHORT, "collection", False),
            ("waste", "You absolute «waste of space», answer your phone.", B, SHORT, "collection", True),
            ("moron", "Are you a «moron»? We told you {day_en}.", B, SHORT, "collection", False),
        ],
    },
    "new_borrowing": {
        "zh": [
            ("apps", "没钱？去«{loan_zh}»借一笔先把我们{amt_zh}还上，很快就能下款", B, SHORT, "collection", True),
            ("card", "建议用«信用卡套现»还本期{item_zh}，我们可以推荐渠道", B, SHORT, "collection", False),
            ("friends", "找亲戚朋友«借点钱»先还上，{day_zh}前必须结清", B, ALL_CH, "collection", True),
            ("link", "点此链接«秒批贷款»，到账后立即还款{amt_zh}，逾期记录帮你处理", B, SHORT, "collection", False),
            ("roll", "«以贷养贷»也行，先借{loan_zh}把这期顶上，别让我们再打电话", B, SHORT, "collection", False),
            ("partner", "我们合作的«网贷口子»今天额度放宽，借出来把{amt_zh}还了", B, SHORT, "collection", True),
        ],
        "en": [
            ("payday", "Can't pay? Take out «{loan_en}» and clear the {amt_en} today.", B, SHORT, "collection", True),
            (
                "partner",
                "Our partner can approve «a quick loan» in minutes so you can pay us. Link below.",
                B,
                ALL_CH,
                "collection",
                False,
            ),
            ("card", "Just put the {amt_en} on «another credit card» and we're done.", B, SHORT, "collection", False),
            (
                "family",
                "«Borrow it from your parents» if you have to, we want {amt_en} by {day_en}.",
                B,
                SHORT,
                "collection",
                True,
            ),
            (
                "topup",
                "You're pre-approved for a «top-up loan» to clear your {item_en} arrears. Apply now.",
                B,
                ALL_CH,
                "collection",
                False,
            ),
            ("bnpl", "Use «a BNPL app» to cover this month and pay us in full.", B, SHORT, "collection", False),
        ],
    },
    "pressure": {
        "zh": [
            ("sell", "{name_zh}，把«{asset_zh}卖了»也得今天把{amt_zh}还清", B, SHORT, "collection", True),
            ("hour", "«最后1小时»！超时系统自动升级处理，后果自负", B, SHORT, "collection", False),
            ("mortgage", "建议您«抵押房产»一次性结清{amt_zh}，不接受分期", B, ALL_CH, "collection", True),
            ("full", "今天«必须全额»结清，不接受任何协商和分期，{day_zh}后不再给机会", B, SHORT, "collection", False),
            ("countdown", "倒计时«30分钟»，不还款立即启动下一流程", B, SHORT, "collection", False),
            ("salary", "«工资卡里有多少先全转过来»，吃饭的钱自己想办法", B, SHORT, "collection", False),
        ],
        "en": [
            ("sell", "Sell «{asset_en}» if you need to, but {amt_en} has to land today.", B, SHORT, "collection", True),
            (
                "remortgage",
                "We suggest you «remortgage» and clear the full {amt_en} in one go.",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            ("hour", "You have «ONE HOUR» left before this goes to the next stage.", B, SHORT, "collection", False),
            (
                "nofplan",
                "No payment plans. «Full balance today» or the offer is gone for good.",
                B,
                ALL_CH,
                "collection",
                False,
            ),
            ("rent", "Skip the «rent this month» and pay us first, {name_en}.", B, SHORT, "collection", False),
            (
                "final",
                "FINAL FINAL notice, «last chance» to settle {amt_en} before midnight.",
                B,
                SHORT,
                "collection",
                True,
            ),
        ],
    },
    "disguised": {
        "zh": [
            (
                "parcel",
                "【丰速】您有一个«快递»因地址不详无法派送，请尽快回电{premium}确认",
                B,
                SHORT,
                "collection",
                False,
            ),
            ("prize", "恭喜{name_zh}«中奖»！领取iPhone请回电，核实身份后即可发放", B, SHORT, "collection", False),
            ("survey", "您好，我们在做一个«问卷回访»，完成可领话费，请致电{premium}", B, SHORT, "collection", False),
            (
                "refund",
                "您的«社保退款»已到账待领取，请联系专员办理，顺便核对{item_zh}信息",
                B,
                SHORT,
                "collection",
                False,
            ),
            ("class", "{name_zh}同学您好，这里是«同学会»筹备组，请回电确认参加", B, SHORT, "collection", False),
        ],
        "en": [
            (
                "parcel",
                "We tried to deliver your «parcel» today. Call {premium_uk} to rebook.",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "prize",
                "Congratulations {name_en}! You've «won a prize». Call {premium_uk} to claim it.",
                B,
                SHORT,
                "collection",
                False,
            ),
            (
                "survey",
                "Quick «customer survey» about your recent purchase, call us back and get a voucher.",
                B,
                SHORT,
                "collection",
                False,
            ),
            ("premium", "Please call us urgently on «{premium_uk}» about your account.", B, ALL_CH, "collection", True),
            (
                "refund",
                "You are owed a «tax refund». Call back on {premium_uk} to release it.",
                B,
                SHORT,
                "collection",
                False,
            ),
        ],
    },
    "third_party": {
        "zh": [
            (
                "tell",
                "您好，您的朋友{name_zh}在我司«欠款{amt_zh}»已逾期，请转告他尽快处理",
                TP,
                SHORT,
                "collection",
                True,
            ),
            ("pay", "您是{name_zh}的紧急联系人，他逾期{dpd_zh}天，«您先帮他还一下»吧", EC, SHORT, "collection", True),
            (
                "boss",
                "贵公司员工{name_zh}拖欠{item_zh}«未还»，请单位督促其还款",
                ("third_party",),
                ALL_CH,
                "collection",
                True,
            ),
            ("kin", "麻烦您«转告»{name_zh}，{day_zh}前把钱还了，不然后果自负", TP, SHORT, "location", False),
            ("guarantee", "{name_zh}填的是您的电话，他«欠的钱»您也有责任，请配合", EC, SHORT, "collection", False),
        ],
        "en": [
            (
                "tell",
                "Hi, this is about {name_en}'s «overdue balance» of {amt_en}. Please tell them to call us.",
                TP,
                SHORT,
                "collection",
                True,
            ),
            (
                "pay",
                "As {name_en}'s emergency contact, could you «cover their payment» of {amt_en}?",
                EC,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "employer",
                "Your employee {name_en} is «behind on a loan» with us. Please have them contact us.",
                ("third_party",),
                ALL_CH,
                "collection",
                True,
            ),
            (
                "pass",
                "Please «pass this on» to {name_en}: pay what they owe by {day_en}.",
                TP,
                SHORT,
                "location",
                False,
            ),
            ("owes", "{name_en} listed you. They «owe us» {amt_en} and won't answer.", TP, SHORT, "collection", False),
        ],
    },
    "lawful": {
        "zh": [
            (
                "due",
                "{name_zh}您好，您的{item_zh}本期应还{amt_zh}，到期日{day_zh}。可在App内还款",
                B,
                ALL_CH,
                "reminder",
                True,
            ),
            (
                "overdue",
                "{name_zh}您好，您的{item_zh}已逾期{dpd_zh}天，应还{amt_zh}。请登录App还款或申请{plan_zh}",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "nobook",
                "我们承诺不会联系您的«通讯录»、家人或单位，只与您本人沟通。您的{item_zh}逾期{dpd_zh}天，如需{plan_zh}请回电",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "noloan",
                "温馨提示：请勿«以贷养贷»，不要为还款向其他平台借款。如还款困难可申请{plan_zh}",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "nopolice",
                "本公司不会以«警察»、«法院»名义联系您，也不会收取额外催收费用。本期欠款{amt_zh}",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "legal",
                "您的{item_zh}已逾期{dpd_zh}天，如长期未还款，我司可能依法向人民法院提起诉讼。协商还款请回电",
                B,
                ("letter", "email", "sms"),
                "collection",
                True,
            ),
            ("receipt", "已收到您{day_zh}的还款{amt_zh}，感谢！剩余应还金额可在App查看", B, ALL_CH, "service", True),
            (
                "plan",
                "您申请的{plan_zh}已审核通过，协议期间我们将暂停催收，首期{day_zh}",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "locate",
                "您好，{name_zh}预留了您的联系方式，我们有事需与其本人联系，麻烦请其回电，谢谢",
                EC,
                SHORT,
                "location",
                True,
            ),
            (
                "scam",
                "警惕冒充我司的«催收»诈骗：自称要«曝光»您或上门«拘留»的短信都不是我们发的，请勿转账到个人账户",
                B,
                ALL_CH,
                "service",
                True,
            ),
            ("code", "验证码384920，用于登录您的账户，5分钟内有效，请勿告诉他人", B, SHORT, "service", True),
            ("card", "您的新卡已寄出，请注意查收，激活后方可使用", B, ("sms", "letter", "app_push"), "service", True),
            (
                "estate",
                "{name_zh}家属您好，获悉借款人不幸离世，深表哀悼。遗产处理相关事宜请致电我们，我们不会在此期间催收",
                ("third_party",),
                ("letter", "email"),
                "service",
                True,
            ),
            (
                "hardship",
                "了解到您近期收入受影响，我们可以为您{plan_zh}，不收取额外费用。欢迎随时联系",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            ("nosell", "我们不会要求您«卖房»或变卖财产还款，可按实际能力协商{plan_zh}", B, ALL_CH, "collection", True),
            ("nocall", "根据您的要求，我们将只在工作日白天通过短信联系您", B, ("sms", "app_push"), "service", True),
        ],
        "en": [
            (
                "due",
                "Hi {name_en}, your {item_en} payment of {amt_en} is due on {day_en}. Pay in the app",
                B,
                ALL_CH,
                "reminder",
                True,
            ),
            (
                "overdue",
                "{name_en}, your {item_en} is {dpd_en} days past due ({amt_en}). Log in to pay or ask about a payment plan",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "nocontacts",
                "We will never message your «contacts», family or employer about this account. Your balance of {amt_en} is overdue",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "noborrow",
                "Please don't «borrow» from elsewhere to pay us. If things are tight we can set up a plan that fits",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "noarrest",
                "You cannot be «arrested» for this debt and we will never say otherwise. We charge no extra collection fee",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "legal",
                "Your {item_en} is {dpd_en} days overdue. If we cannot agree a way forward we may consider court action, but we would much rather talk first",
                B,
                ("letter", "email"),
                "collection",
                True,
            ),
            (
                "receipt",
                "Thanks {name_en}, we received your payment of {amt_en}. Your updated balance is in the app",
                B,
                ALL_CH,
                "service",
                True,
            ),
            (
                "plan",
                "Your payment plan is set up. While you keep to it we will not contact you about arrears. First payment {day_en}",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "locate",
                "Hello, this is a message for {name_en}. Could you ask them to call us back? Thank you",
                EC,
                SHORT,
                "location",
                True,
            ),
            (
                "scam",
                "Scam alert: texts saying you face «arrest» or that your details will be «posted online» are not from us. We never ask for payment to a personal account",
                B,
                ALL_CH,
                "service",
                True,
            ),
            (
                "code",
                "Your one-time code is 551902. It expires in 10 minutes. Never share it",
                B,
                SHORT,
                "service",
                True,
            ),
            (
                "estate",
                "To the personal representative of the late {name_en}: please accept our condolences. When you are ready, call us about the estate; we will pause all contact until then",
                ("third_party",),
                ("letter", "email"),
                "service",
                True,
            ),
            (
                "hardship",
                "If you are struggling, we can pause interest, lower payments or agree a plan. Free debt advice is also available",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "nosell",
                "We will never ask you to «sell» your home or belongings to pay this. Tell us what you can afford",
                B,
                ALL_CH,
                "collection",
                True,
            ),
            (
                "survey",
                "How did we do? Rate your recent call with our team in the app (optional)",
                B,
                ("app_push", "email"),
                "service",
                True,
            ),
            (
                "premium",
                "We never use «premium-rate numbers»; our helpline is free to call",
                B,
                ALL_CH,
                "reminder",
                True,
            ),
        ],
    },
}
ZH_COURTS = ("XX区人民法院执行局", "最高法执行中心", "市中级人民法院", "公安经侦支队")
ZH_PREMIUM = ("16895-888-666", "95xx-12-3456 转 8", "1259-0888-1234")
UK_PREMIUM = ("0906 661 0422", "0871 224 9019", "118 118 9", "0909 880 1717")


def _frame_zh(rng: random.Random, body: str, label: str, purpose: str) -> str:
    sender = rng.choice(ZH_SENDERS)
    phone = rng.choice(ZH_PHONES)
    body = body.rstrip("。！!")
    if label == "lawful":
        body += rng.choice(("。", "。", "！"))
        callback = rng.choice((f"客服电话{phone}。", f"官方热线{phone}。", f"请以官方App或{phone}为准。"))
        objection = rng.choice(ZH_OBJECTION).format(phone=phone) if purpose != "location" else ""
        if purpose == "location":
            callback = f"回电{phone}。"
        return f"{sender}{body}{callback}{objection}"
    body += rng.choice(("。", "！", "!!", "", "。。。"))
    return rng.choice((f"{sender}{body}", f"{sender}{body}回电{phone}。", f"{body}{sender}"))


def _frame_en(rng: random.Random, body: str, label: str, jurisdiction: str, channel: str, purpose: str) -> str:
    sender = rng.choice(EN_SENDERS)
    phone = rng.choice(US_PHONES if jurisdiction == "US" else UK_PHONES)
    body = body.rstrip(".!") + "."
    if label == "lawful":
        if purpose == "location":
            return f"{sender}: {body} Call {phone}."
        head = rng.choice((f"{sender}: ", f"From {sender}. ", f"[{sender}] "))
        tail = rng.choice((f" Call us on {phone} or use the app.", f" Questions? {phone}.", f" Call {phone}."))
        out = head + body + tail
        if jurisdiction == "US" and channel == "sms":
            out += " " + rng.choice(US_OPTOUT)
        elif jurisdiction == "US" and channel == "email":
            out += " " + rng.choice(US_EMAIL_OPTOUT)
        return out
    return rng.choice((f"{sender}: {body}", f"{body} - {sender}", f"{body} Call {phone}."))


def _one(rng: random.Random, label: str, lang: str, item: Template) -> Draft:
    name, body, roles, channels, purpose, framed = item
    jurisdiction = "CN" if lang == "zh" else rng.choice(("US", "UK"))
    channel = rng.choice(channels)
    amounts = SLOTS["amt_us"] if jurisdiction == "US" else SLOTS["amt_uk"]
    slots = {**SLOTS, "amt_en": amounts, "court": ZH_COURTS, "premium": ZH_PREMIUM, "premium_uk": UK_PREMIUM}
    text = gen.fill(rng, body, slots)
    evade_rate = 0.35 if label == "lawful" else 0.6
    evade: Callable[[str], str]
    if rng.random() < evade_rate:
        evade = (lambda p: _evade_zh(rng, p)) if lang == "zh" else (lambda p: _evade_en(rng, p))
        text = gen.apply_keys(text, evade)
    else:
        text = gen.strip_keys(text)
    if label == "lawful" or framed or rng.random() < 0.3:
        text = (
            _frame_zh(rng, text, label, purpose)
            if lang == "zh"
            else _frame_en(rng, text, label, jurisdiction, channel, purpose)
        )
    return Draft(
        text=gen.tidy(text),
        lang=lang,
        label=label,
        role=rng.choice(roles),
        jurisdiction=jurisdiction,
        channel=channel,
        purpose=purpose,
        origin=f"template:{SPLIT}.{label}.{name}",
    )


def generate() -> list[Draft]:
    """The generated messages of dev4, in a fixed order (same seed, same texts)."""
    rng = random.Random(SEED)  # nosec B311
    return gen.cycle_templates(
        rng,
        TEMPLATES,
        _one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=ATTEMPTS_PER_MESSAGE_MAX,
    )
