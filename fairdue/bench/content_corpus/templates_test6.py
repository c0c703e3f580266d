"""The test6 split's generator: its own templates, fillers, senders, spellings, emoji, frames and seed.

Written for the sixth held-out split from the law (Reg F 12 CFR 1006.6(d), 1006.10, 1006.14, 1006.18,
1006.22(f)(4); FCA CONC 7.3.10R, 7.9.2R/7.9.3G/7.9.5R, 7.11; the CN collection rules, CBA 2026 and Criminal
Law Art. 293-1), without reading the content check or any other split's messages, hand files or templates.
Only the neutral mechanics of generate.py are shared.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

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

SEED = 8620261207
EVADE_SHARE = 0.35
FRAME_SHARE = 0.5
UNLAWFUL_PER_INTENT_LANG = 20
LAWFUL_PER_LANG = 140

# a template: (name, role, purpose, jurisdiction "CN" | "US" | "UK" | "EN" for either, channels, body)
Template = tuple[str, str, str, str, tuple[str, ...], str]

B, EC, TP = "borrower", "emergency_contact", "third_party"
COL, REM, LOC, SRV = "collection", "reminder", "location", "service"
SMS: tuple[str, ...] = ("sms",)
TXT: tuple[str, ...] = ("sms", "app_push")
ANY: tuple[str, ...] = ("sms", "app_push", "email", "letter")
MAIL: tuple[str, ...] = ("email", "letter")
SE: tuple[str, ...] = ("sms", "email")

# --- senders: one phone number per sender ------------------------------------------------------------------
ZH_LENDERS: tuple[tuple[str, str], ...] = (
    ("杏仁借", "400-613-2270"),
    ("月桂花", "400-928-1153"),
    ("芒种贷", "400-705-6631"),
    ("橄榄钱包", "400-381-4409"),
    ("汀兰消费金融", "400-166-0892"),
    ("苍梧银行", "95577-6"),
    ("鹊桥小贷", "400-552-7318"),
    ("枫糖分期", "400-830-2946"),
    ("朗月借钱", "400-247-5061"),
)
US_LENDERS: tuple[tuple[str, str], ...] = (
    ("Hawthorne Credit", "1-888-402-7716"),
    ("Kingfisher Loans", "1-866-239-4480"),
    ("Beacon Hill Finance", "1-877-615-3092"),
    ("Quillon Lending", "1-855-730-2214"),
    ("Cobblestone Bank", "1-800-994-6128"),
    ("Ironbridge Collections", "1-844-317-5590"),
)
UK_LENDERS: tuple[tuple[str, str], ...] = (
    ("Saltmarsh Bank", "0800 046 7721"),
    ("Lindenwood Money", "0333 014 2268"),
    ("Ferncliff Card Services", "0800 917 3304"),
    ("Osprey Finance", "0345 602 1187"),
    ("Tarnside Loans", "0330 088 5412"),
    ("Blackwater Receivables", "0800 231 6650"),
)

ZH: dict[str, Sequence[str]] = {
    "name": ("韩磊", "孟婷", "秦浩", "蒋雯", "邵阳", "薛凯", "范琳", "尹哲", "龙飞", "严敏", "戴晓光", "柯佳"),
    "amt": ("2,386.50", "4,910.00", "1,275.80", "8,640.33", "612.90", "15,204.00", "3,047.16"),
    "date": ("12月9日", "12月12日", "12月15日", "本月20日", "12月18日"),
    "kin": ("你妈", "你老婆", "你爸", "你闺女", "你儿子", "你丈母娘"),
    "school": ("实验二小", "东湖中学", "育英幼儿园", "桂花路小学", "城南三中"),
    "spot": ("你家楼下的菜市场", "你上班那个园区门口", "你们小区东门", "你家那条没路灯的巷子", "你每天等车的站台"),
    "work": ("你们公司", "你单位", "你们厂", "你们店"),
    "group": ("小区业主群", "孩子班级群", "家族群", "公司大群", "老乡群", "同学群"),
    "plat": ("抖音", "快手", "小红书", "微博", "视频号"),
    "app": ("借呗", "微粒贷", "京东金条", "安逸花", "360借条", "度小满", "美团借钱", "信用卡现金分期"),
    "asset": ("房子", "车", "金镯子", "铺子", "那套老房子", "单位分的房"),
    "auth": ("区人民法院", "市公安局经侦支队", "金融监管总局", "人民银行征信中心", "市仲裁委员会"),
    "courier": ("顺丰", "中通", "京东物流", "邮政EMS", "极兔"),
    "rel": ("他", "她", "TA"),
    "hrs": ("两小时", "今晚十点前", "三个小时", "中午12点前"),
}
EN: dict[str, Sequence[str]] = {
    "name": ("Dana", "Marcus", "Priya", "Callum", "Tegan", "Rhys", "Jolene", "Andre", "Niamh", "Colby", "Imani"),
    "kin": ("your wife", "your mum", "your little girl", "your son", "your dad", "your partner", "your nan"),
    "work": ("your shift manager", "HR at the depot", "your line manager", "the front desk at your office"),
    "group": (
        "the PTA group chat",
        "your street's WhatsApp",
        "the parish bulletin",
        "your gym's Facebook page",
        "your Discord server",
        "the allotment society newsletter",
    ),
    "hrs": ("by 6pm today", "within the hour", "before midnight", "by noon tomorrow"),
    "date": ("December 14", "December 19", "the 22nd", "Friday"),
}
US: dict[str, Sequence[str]] = {
    "amt": ("$1,284.19", "$612.40", "$3,950.00", "$2,117.75", "$845.02", "$6,300.58"),
    "spot": ("the bus stop on Route 9", "the Walgreens lot", "the laundromat on 5th", "the trailhead by the creek"),
    "loan": (
        "a Brigit advance",
        "a car title loan",
        "a pawn-shop loan",
        "a cash advance on your other card",
        "a loan against your 401(k)",
        "an Instacash advance",
        "a storefront payday loan",
    ),
    "auth": ("the county sheriff", "the district attorney's office", "the state attorney general", "federal marshals"),
    "prem": ("1-900-555-0187", "1-900-420-7733", "1-900-318-2290"),
    "court": ("Superior Court of Maricopa County", "Circuit Court of Cook County", "District Court of Travis County"),
}
UK: dict[str, Sequence[str]] = {
    "amt": ("£842.60", "£1,390.00", "£275.15", "£4,020.48", "£2,611.09", "£968.30"),
    "spot": ("the Co-op car park", "the towpath by the lock", "the school gates on Albert Road", "the bus shelter"),
    "loan": (
        "a logbook loan",
        "a guarantor loan",
        "an overdraft extension",
        "Klarna",
        "a doorstep loan",
        "a payday loan from an app",
        "a cash withdrawal on a store card",
    ),
    "auth": ("the High Court Enforcement Office", "HMCTS", "the Met fraud desk", "the FCA enforcement team"),
    "prem": ("0909 880 4127", "0871 226 9031", "118 702", "0983 441 770", "0872 550 1186"),
    "court": ("County Court Business Centre", "High Court of Justice, King's Bench", "Northampton County Court"),
}

# --- evasion tables (this split's own) ----------------------------------------------------------------------
ZH_SPELL: dict[str, Sequence[str]] = {
    "通讯录": ("痛迅录", "捅讯录", "tong讯录", "通X录"),
    "坐牢": ("做劳", "座佬", "zuo劳"),
    "警察": ("儆察", "JC", "jing察"),
    "法院": ("珐院", "法yuan", "FY"),
    "拘留": ("居留", "驹留", "ju溜"),
    "曝光": ("爆汪", "瀑洸", "bao光"),
    "老赖": ("捞赖", "老莱", "LL"),
    "垃圾": ("啦圾", "lj", "拉级"),
    "废物": ("费务", "fw", "废勿"),
    "傻": ("啥", "沙", "2"),
    "借呗": ("介呗", "JB", "借b"),
    "微粒贷": ("维粒贷", "薇粒贷", "wld"),
    "孩子": ("孩砸", "hai子", "娃娃"),
    "卖": ("麦", "mai"),
    "快递": ("快第", "块递", "KD"),
    "中奖": ("种奖", "中j"),
    "朋友圈": ("朋有圈", "盆you圈"),
    "公司": ("公丝", "gs"),
    "传票": ("传镖", "chuan票"),
    "征信": ("蒸信", "整信", "zx"),
    "还": ("huan", "環"),
    "家人": ("家淫", "jia人"),
}
EN_SPELL: dict[str, Sequence[str]] = {
    "arrest": ("arrrest", "4rrest", "arest"),
    "jail": ("jayl", "ja1l", "jai|"),
    "police": ("pol!ce", "polis", "p0lis"),
    "warrant": ("warr@nt", "waran", "w4rrant"),
    "loser": ("lo$er", "luzer"),
    "idiot": ("idi0t", "eedjit", "idjit"),
    "scum": ("sk*m", "scvm"),
    "deadbeat": ("d34dbeat", "dedbeet"),
    "payday": ("pay-dai", "paydey", "p4yday"),
    "remortgage": ("re-mortgaj", "remorgij"),
    "court": ("kourt", "c()urt"),
    "employer": ("emp1oyer", "employa"),
    "Facebook": ("Faceb00k", "F@cebook", "fbook"),
    "sell": ("se11", "$ell"),
    "parcel": ("parcle", "p@rcel"),
    "prize": ("pr1ze", "priize"),
    "sheriff": ("sherrif", "sh3riff"),
    "kids": ("kidz", "k1ds"),
    "borrow": ("b0rrow", "borro"),
    "pathetic": ("pathetik", "p@thetic"),
}
LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "$"})
ZH_SEPS: tuple[str, ...] = ("\u2062", "\u2061", "＊", "+", "、", " ", "ˇ")
EN_SEPS: tuple[str, ...] = ("\u2062", "+", "/", "~", " ", ":")
EMOJI: tuple[str, ...] = ("🌀", "🫧", "🪴", "🧷", "🔸", "🍋", "🐾", "🧃", "🪁")


def _zh_evade(rng: random.Random, phrase: str) -> str:
    op = rng.randrange(7)
    if op == 0:
        spelled = substitute(rng, phrase, ZH_SPELL)
        if spelled != phrase:
            return spelled
        op = 1
    if op == 1:
        sep = rng.choice(ZH_SEPS)
        return between(phrase, lambda: sep)
    if op == 2:
        return between(phrase, lambda: rng.choice(EMOJI))
    if op == 3:
        return traditional(phrase)
    if op == 4:
        return pinyin_one(rng, phrase)
    if op == 5:
        return phrase + rng.choice(EMOJI)
    return full_width(phrase) if any(c.isascii() and c.isalnum() for c in phrase) else traditional(phrase)


def _en_evade(rng: random.Random, phrase: str) -> str:
    op = rng.randrange(7)
    if op == 0:
        spelled = substitute(rng, phrase, EN_SPELL)
        if spelled != phrase:
            return spelled
        op = 1
    words = phrase.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if op == 1:
        sep = rng.choice(EN_SEPS)
        word = between(word, lambda: sep)
    elif op == 2:
        word = word.translate(LEET)
    elif op == 3:
        word = " ".join(word.upper())
    elif op == 4:
        vowels = [k for k, c in enumerate(word) if c in "aeiou"]
        if vowels:
            k = rng.choice(vowels)
            word = word[:k] + "*" + word[k + 1 :]
        else:
            word = word.upper()
    elif op == 5:
        word = full_width(word)
    else:
        return phrase + " " + rng.choice(EMOJI)
    words[i] = word
    return " ".join(words)


# --- templates ----------------------------------------------------------------------------------------------
ZH_T: dict[str, list[Template]] = {
    "threat_harm": [
        (
            "nightroad",
            B,
            COL,
            "CN",
            TXT,
            "{name}，{kin}每天下夜班走的那段路挺黑的吧，«出点什么事»可就说不清了，钱今天到账。",
        ),
        (
            "school",
            B,
            COL,
            "CN",
            TXT,
            "{school}几点放学我们都清楚，你要是还拖着，«孩子放学路上»会遇到什么我可不敢保证。",
        ),
        ("visit", B, COL, "CN", TXT, "外访的兄弟已经在{spot}转了两圈，再不还{amt}元，«下次就不只是转转了»。"),
        ("car", B, COL, "CN", ANY, "你那辆车停在楼下挺显眼的，«玻璃和轮胎»哪天要是不见了别怪别人。"),
        (
            "buried",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您在我司的借款已逾期，应还{amt}元。理解您的难处，但我提醒一句：«你家门口那几个花盆，晚上容易被人碰倒»。请尽快处理。",
        ),
        (
            "voice",
            B,
            COL,
            "CN",
            SMS,
            "[语音转文字] 喂{name} 我跟你讲 我们这边的人脾气不好 «真上门了谁也拦不住» 你自己掂量",
        ),
        (
            "parents",
            B,
            COL,
            "CN",
            TXT,
            "听说{kin}一个人住在老家？«老人家腿脚不好，摔一跤可不是小事»，你早点把{amt}元结了。",
        ),
        ("shop", B, COL, "CN", ANY, "你那个店的卷帘门挺旧了，«哪天晚上被人泼点东西»，生意就别做了。今天{hrs}处理。"),
    ],
    "exposure": [
        (
            "poster",
            B,
            COL,
            "CN",
            TXT,
            "你的照片和欠款金额已经做成海报，{date}前不还就«发到{group}»，让大家都认识认识你。",
        ),
        ("contacts", B, COL, "CN", TXT, "你手机里{n}个联系人我们都有，«挨个打电话告诉他们你欠钱不还»，别说没提醒你。"),
        ("video", B, COL, "CN", ANY, "已经剪好了一段视频，标题就叫“{name}欠钱跑路”，«今晚发{plat}»，你看着办。"),
        ("work", B, COL, "CN", TXT, "明天上午我们同事会去{work}前台，«当着你同事的面»问问你这{amt}元什么时候还。"),
        (
            "buried",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您的账单已逾期{n}天，应还{amt}元。如不处理，«我们会在你的朋友圈和家族群公开你的欠款情况»。还款请登录App。",
        ),
        ("banner", B, COL, "CN", ANY, "横幅已经印好了，写着你的名字，«挂到你们小区门口»让邻居们评评理。"),
        ("groupadd", B, COL, "CN", TXT, "我们已经进了你的{group}，群主也同意了，«明早九点发你的欠款截图»。"),
        ("flag", B, COL, "CN", TXT, "给你定做了一面锦旗，“欠债不还第一人”，«周一送到{work}»。"),
    ],
    "false_authority": [
        ("court", B, COL, "CN", ANY, "【{auth}】{name}，你涉嫌恶意拖欠一案已立案，«请于{date}前到庭，否则依法拘传»。"),
        ("police", B, COL, "CN", TXT, "我们已经把你的材料移交给{auth}，«明天就有警察上门带你回去问话»。"),
        ("credit", B, COL, "CN", TXT, "【人民银行征信中心】你已被列入«失信黑名单»，高铁飞机全部限制，今日还款可撤销。"),
        ("jail", B, COL, "CN", TXT, "恶意透支超过三个月就是«诈骗罪，要坐牢的»，你自己想清楚。"),
        ("regulator", B, COL, "CN", ANY, "金融监管总局专项通知：{name}的账户已被«列入重点监管名单»，限期{hrs}内结清。"),
        (
            "lawyer",
            B,
            COL,
            "CN",
            MAIL,
            "律师函：我所受托已向公安机关«报案，你将被网上追逃»，请立即联系我所结清{amt}元。",
        ),
        (
            "buried",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，温馨提醒您的借款已逾期。另外通知您，«法院执行局已冻结你的微信和支付宝»，请于今日内处理。",
        ),
        ("freeze", B, COL, "CN", TXT, "执行庭书记员通知：你名下案件进入执行，«工资卡和社保卡明天统一冻结»。"),
    ],
    "insult": [
        ("plain", B, COL, "CN", TXT, "{name}你就是个«不要脸的老赖»，借钱的时候怎么不装死？"),
        ("trash", B, COL, "CN", TXT, "«垃圾»一个，几千块都还不上，活着有什么用。"),
        ("fw", B, COL, "CN", TXT, "真没见过你这种«废物»，爹妈白养你了。"),
        ("sb", B, COL, "CN", TXT, "你是«傻»了吗？短信也不回，电话也不接。"),
        ("dog", B, COL, "CN", ANY, "欠钱不还的«狗东西»，今天{hrs}给我把{amt}元打过来。"),
        (
            "buried",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您的借款已逾期。说实话«像你这种人渣»我们见多了。请尽快通过App还款。",
        ),
        ("dialect", B, COL, "CN", TXT, "你个«瓜娃子»，钱借了就当自己没借过嗦？"),
        ("pinyin", B, COL, "CN", TXT, "«lan ren yi ge»，ni zhe bei zi jiu zhe yang le，kuai huan qian。"),
    ],
    "new_borrowing": [
        ("app", B, COL, "CN", TXT, "你去«{app}借一笔»先把我们这{amt}元还上，额度很快的。"),
        ("two", B, COL, "CN", TXT, "实在没钱就«在{app}和{app}上各借一点»，拆东墙补西墙谁不会。"),
        ("card", B, COL, "CN", TXT, "你不是有信用卡吗？«套现出来还我们»，手续费才几个点。"),
        ("friend", B, COL, "CN", ANY, "找朋友借、找亲戚借，«去网贷平台借»也行，{date}前必须把钱凑齐。"),
        (
            "buried",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您的账单已逾期，应还{amt}元。建议您«先通过{app}周转一下»，结清后征信会好看些。",
        ),
        ("newkou", B, COL, "CN", TXT, "给你推荐个新口子，«下款快不看征信»，借出来先还我们。"),
        ("gjj", B, COL, "CN", TXT, "你公积金不是还能贷吗？«用公积金贷款还了»，省得我们天天找你。"),
        ("bridge", B, COL, "CN", TXT, "我们合作的过桥资金一天就能下，«借过桥把这笔平了»再说。"),
    ],
    "pressure": [
        ("sell", B, COL, "CN", TXT, "你名下不是有{asset}吗？«卖了还钱»不就完了，拖什么拖。"),
        ("clock", B, COL, "CN", TXT, "系统倒计时{hrs}，«超时自动按三倍罚息计算»，现在不还就晚了。"),
        ("last", B, COL, "CN", TXT, "这是«最后一次机会»，过了今晚十二点任何方案都不给你谈。"),
        ("fee", B, COL, "CN", ANY, "你的账户已产生«上门催收费800元»，今天不结清明天再加。"),
        ("pawn", B, COL, "CN", TXT, "{asset}拿去当铺«当了也得先把这笔还上»，别跟我讲没钱。"),
        (
            "buried",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您的借款已逾期，应还{amt}元，可在App查看详情。«今天下午三点前不还，明天起每天加收5%滞纳金»。",
        ),
        ("pension", B, COL, "CN", TXT, "{kin}不是有退休金吗？«让老人把养老钱取出来»先垫上，今天必须办。"),
        ("insure", B, COL, "CN", TXT, "你那份保险«退保了就有钱»，明天之前给我结清。"),
    ],
    "disguised": [
        ("parcel", B, COL, "CN", SMS, "【{courier}】您有一个«快递因地址不详无法派送»，请回电{pnum}核对收件信息。"),
        ("prize", B, COL, "CN", SMS, "恭喜{name}在年终回馈活动中«中奖»，领取请致电{pnum}并提供身份证号。"),
        ("survey", B, COL, "CN", SMS, "社区满意度回访：请«参与问卷调查»，完成后致电{pnum}领取话费。"),
        ("refund", B, COL, "CN", SMS, "您在{date}的购物订单«可申请退款»，请添加客服微信或致电{pnum}办理。"),
        ("class", B, COL, "CN", SMS, "{name}，我是你«初中同学»啊，好久不见，方便的话回个电话{pnum}聊聊。"),
        ("hr", B, COL, "CN", SMS, "您好，我是某公司人事，«您的面试通过了»，请尽快致电{pnum}确认入职时间。"),
        ("property", B, COL, "CN", SMS, "物业通知：您家«水表读数异常»，请业主本人致电{pnum}登记。"),
        ("hospital", B, COL, "CN", SMS, "体检中心提醒：您的«体检报告有一项需复查»，请尽快回电{pnum}预约。"),
    ],
    "third_party": [
        ("mom", EC, COL, "CN", TXT, "阿姨您好，{name}在我们平台«欠了{amt}元一直没还»，麻烦您劝劝{rel}。"),
        ("pay", EC, COL, "CN", TXT, "您是{name}的紧急联系人，«这笔钱您先替{rel}还上»吧，以后你们自己算。"),
        ("pass", TP, COL, "CN", TXT, "请转告你的同事{name}，«让{rel}今天把钱还了»，别让我们再打到你这里。"),
        (
            "spouse",
            EC,
            COL,
            "CN",
            ANY,
            "您好，我们是{lender}，«您爱人{name}的借款已经逾期»，夫妻共同债务您也有义务了解。",
        ),
        ("landlord", TP, COL, "CN", TXT, "房东您好，您的租客{name}«在我司有逾期借款»，请您留意并督促{rel}处理。"),
        ("nodebt", TP, COL, "CN", TXT, "您好，{name}有件急事需要处理，«请您跟{rel}说一声：那笔钱今天必须处理掉»。"),
        ("boss", TP, COL, "CN", TXT, "您是{name}的领导吧？«{rel}欠款的事麻烦单位协助催一下»，谢谢配合。"),
        ("neighbor", TP, COL, "CN", TXT, "邻居您好，麻烦«帮忙带个话给{name}»，让{rel}尽快联系{lender}把账结了。"),
    ],
    "lawful": [
        ("due", B, REM, "CN", TXT, "尊敬的{name}，您本期账单{amt}元将于{date}到期，请留意还款。"),
        ("overdue", B, COL, "CN", TXT, "尊敬的{name}，您的借款已逾期{n}天，应还{amt}元，请尽快登录App还款。"),
        ("plan", B, COL, "CN", ANY, "{name}您好，如您近期收入困难，可申请分期或延期还款方案，我们会根据您的情况协商。"),
        (
            "nocontact",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您的借款已逾期。我们承诺不会联系您的通讯录联系人、家人或单位，请您放心沟通。",
        ),
        ("nopolice", B, COL, "CN", TXT, "提醒：我司不会以公安、法院名义联系您，也不会发送所谓“传票”短信，请谨防假冒。"),
        (
            "noloan",
            B,
            COL,
            "CN",
            TXT,
            "您的借款已逾期{n}天。请勿以贷养贷，不建议您通过{app}等其他平台借款还款，可与我们协商方案。",
        ),
        (
            "nosell",
            B,
            COL,
            "CN",
            ANY,
            "我们不会要求您卖房卖车还款，也不收取任何催收费用，欠款金额以App显示为准：{amt}元。",
        ),
        (
            "lawsuit",
            B,
            COL,
            "CN",
            MAIL,
            "{name}您好，您的借款逾期已超过90天。若仍无法协商，我司可能依法向人民法院提起诉讼，届时您有权答辩并提出意见。",
        ),
        (
            "zx",
            B,
            COL,
            "CN",
            ANY,
            "{name}您好，依据《征信业管理条例》，若逾期持续，我司将按规定报送不良信息，报送前会再次通知您。",
        ),
        (
            "scam",
            B,
            SRV,
            "CN",
            TXT,
            "防骗提醒：近期有人冒充我司称“不还款就上门抓人”“已被列入黑名单”，均为诈骗，请只通过官方App处理。",
        ),
        (
            "scam2",
            B,
            SRV,
            "CN",
            TXT,
            "如有人自称“{courier}快递员”“中奖客服”要求您回电谈欠款，请勿理会，我司不会以此类名义联系您。",
        ),
        ("receipt", B, SRV, "CN", TXT, "您于{date}还款{amt}元已到账，感谢您的按时还款。"),
        ("settled", B, SRV, "CN", ANY, "{name}您好，您的借款已全部结清，结清证明可在App下载。"),
        ("code", B, SRV, "CN", SMS, "您的验证码为{code}，5分钟内有效，请勿泄露给他人。"),
        ("card", B, SRV, "CN", SMS, "您申请的银行卡已通过{courier}寄出，请留意查收，勿将卡片借给他人使用。"),
        (
            "quote",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您说“怕家里人知道”，请放心，我们只与您本人沟通，您的还款情况不会告知他人。",
        ),
        (
            "quote2",
            B,
            COL,
            "CN",
            TXT,
            "您上次问“是不是要坐牢”——逾期是民事欠款，不会因此坐牢，我们希望和您协商一个可行的方案。",
        ),
        (
            "complaint",
            B,
            SRV,
            "CN",
            MAIL,
            "{name}您好，关于您投诉外包人员称“要去单位找你”一事，经核实属实，该说法违反我司规定，已停止其服务，并向您致歉。",
        ),
        ("loc", EC, LOC, "CN", TXT, "您好，想请{name}回个电话，麻烦您转告{rel}方便时联系我们，谢谢。"),
        ("loc2", EC, LOC, "CN", SMS, "您好，打扰了，我们暂时联系不上{name}，如方便请让{rel}回电，不涉及其他事项。"),
        ("wrong", TP, SRV, "CN", SMS, "您好，您反馈此号码并非{name}本人，我们已将其删除，今后不再打扰，抱歉。"),
        (
            "bereave",
            TP,
            SRV,
            "CN",
            MAIL,
            "家属您好，惊悉{name}离世，深表哀悼。家属无须以个人财产偿还该笔借款，如需办理相关手续请与我们联系，我们不会催促。",
        ),
        ("hardship", B, COL, "CN", TXT, "{name}您好，了解到您近期住院，我们已暂停催收提醒30天，期间不产生额外费用。"),
        (
            "reduce",
            B,
            COL,
            "CN",
            ANY,
            "{name}您好，经审核，您可申请减免部分罚息，剩余{amt}元可分12期偿还，是否接受由您决定。",
        ),
        ("remind", B, REM, "CN", TXT, "温馨提示：明天是您的还款日，应还{amt}元，已开通自动扣款的无需操作。"),
        (
            "survey",
            B,
            SRV,
            "CN",
            TXT,
            "邀请您在App内对本次服务进行评价，评价仅用于改进服务，无任何奖品，也不会要求您提供密码。",
        ),
        (
            "noprem",
            B,
            COL,
            "CN",
            TXT,
            "我司所有还款咨询均通过官方客服热线，不会让您拨打付费声讯号码，也不会以快递、中奖名义联系您。",
        ),
        (
            "nogroup",
            B,
            COL,
            "CN",
            TXT,
            "{name}您好，您的账单已逾期。我们不会在朋友圈、微信群或{plat}公开任何用户信息，请放心与我们协商。",
        ),
    ],
}

EN_T: dict[str, list[Template]] = {
    "threat_harm": [
        (
            "shift",
            B,
            COL,
            "EN",
            TXT,
            "{name}, {kin} walks home from {spot} after dark, doesn't she. «Be a shame if that walk got complicated.»",
        ),
        (
            "guys",
            B,
            COL,
            "EN",
            TXT,
            "The guys I use for field visits aren't as patient as me. «They know where you park.» Pay {amt} {hrs}.",
        ),
        (
            "kids",
            B,
            COL,
            "EN",
            TXT,
            "Cute kids. «Would hate for anything to spoil their walk to school.» Call me back.",
        ),
        ("dog", B, COL, "EN", ANY, "Nice dog in your yard. «Gates get left open, dogs get lost.» Sort the {amt} out."),
        (
            "buried",
            B,
            COL,
            "EN",
            MAIL,
            "Hi {name}, this is about your account balance of {amt}. We'd rather this stayed friendly. «Accidents happen to people who ignore us.» You can pay online or call us.",
        ),
        (
            "car",
            B,
            COL,
            "EN",
            TXT,
            "Your car's brakes are looking worn from here. «Wouldn't drive it far.» Payment {hrs}.",
        ),
        (
            "voicemail",
            B,
            COL,
            "EN",
            SMS,
            "[voicemail] yeah {name} it's Keith again. «next time I won't be knocking politely» you know what I mean. call me.",
        ),
        (
            "house",
            B,
            COL,
            "EN",
            ANY,
            "Old houses like yours go up fast in a fire. «Just saying, keep an eye on it.» {amt} due {hrs}.",
        ),
    ],
    "exposure": [
        ("group", B, COL, "EN", TXT, "Pay {hrs} or «your name and balance go in {group}». Everyone will know."),
        ("work", B, COL, "EN", TXT, "If we don't hear back, «we'll let {work} know you don't pay your debts»."),
        (
            "facebook",
            B,
            COL,
            "EN",
            ANY,
            "«We'll tag you in a Facebook post about this debt» so your friends can see who you are.",
        ),
        (
            "contacts",
            B,
            COL,
            "EN",
            TXT,
            "We have your phone contacts. «Every one of them gets a message about your {amt}» tonight.",
        ),
        (
            "buried",
            B,
            COL,
            "EN",
            MAIL,
            "Dear {name}, your account is now past due with a balance of {amt}. «Our next step is a notice on your street's noticeboard naming you as a debtor.» Please contact us to discuss.",
        ),
        (
            "linkedin",
            B,
            COL,
            "EN",
            TXT,
            "«Your colleagues on LinkedIn will see a review of you as a non-payer» unless this clears.",
        ),
        (
            "church",
            B,
            COL,
            "EN",
            TXT,
            "Thought about mentioning your debt to the pastor. «Maybe read it out to the congregation.»",
        ),
        (
            "flyer",
            B,
            COL,
            "EN",
            ANY,
            "We've printed flyers with your photo. «They go up around your neighbourhood on {date}.»",
        ),
    ],
    "false_authority": [
        (
            "sheriff",
            B,
            COL,
            "US",
            TXT,
            "This is a notice from «{auth}»: a bench warrant is ready for your arrest over {amt}.",
        ),
        ("arrest", B, COL, "US", TXT, "Final warning. «Officers will arrest you at work» unless {amt} is paid {hrs}."),
        (
            "caption",
            B,
            COL,
            "US",
            MAIL,
            "IN THE {court}. Case No. 2026-CV-{n}. «You are hereby ordered to pay {amt} or be held in contempt.»",
        ),
        (
            "irs",
            B,
            COL,
            "US",
            TXT,
            "«The IRS will garnish your tax refund and charge you with fraud» if you don't settle today.",
        ),
        (
            "hceo",
            B,
            COL,
            "UK",
            MAIL,
            "NOTICE OF ENFORCEMENT. «High Court Enforcement Office» — «agents are authorised to force entry» and remove goods for {amt}.",
        ),
        (
            "ccj",
            B,
            COL,
            "UK",
            MAIL,
            "«County Court Judgment issued against you», claim ref {n}. Pay {amt} now to stop bailiffs.",
        ),
        (
            "police",
            B,
            COL,
            "UK",
            TXT,
            "Your file has gone to «the police as a fraud matter». Expect a visit unless {amt} is paid {hrs}.",
        ),
        (
            "buried",
            B,
            COL,
            "EN",
            MAIL,
            "Hi {name}, we've tried to reach you about your overdue account. «A criminal complaint has been filed and you may be jailed.» You can still resolve this by calling us today.",
        ),
        (
            "fca",
            B,
            COL,
            "UK",
            TXT,
            "Message from «{auth}»: your non-payment has been logged as a regulatory breach. Pay {amt} {hrs}.",
        ),
    ],
    "insult": [
        ("plain", B, COL, "EN", TXT, "You're a «pathetic deadbeat», {name}. Pay what you owe."),
        ("scum", B, COL, "EN", TXT, "People like you are «scum». {amt}, {hrs}."),
        ("idiot", B, COL, "EN", TXT, "Are you an «idiot» or just pretending? Answer your phone."),
        ("loser", B, COL, "EN", ANY, "What kind of «loser» can't pay back {amt}? Embarrassing."),
        (
            "buried",
            B,
            COL,
            "EN",
            MAIL,
            "Hello {name}, your payment of {amt} is overdue. «Honestly you're a waste of space.» Please use the app or call to pay.",
        ),
        ("uk", B, COL, "UK", TXT, "Oi «you absolute melt», answer the phone and pay up."),
        ("typo", B, COL, "EN", TXT, "ur «such a useless freeloader» lol. pay up"),
        ("thick", B, COL, "UK", TXT, "Are you «thick as mince»? It's {amt}, not rocket science."),
    ],
    "new_borrowing": [
        ("loan", B, COL, "EN", TXT, "Can't pay? «Get {loan}» and clear this balance {hrs}."),
        ("card", B, COL, "EN", TXT, "Just «put it on another credit card» and pay us {amt} today."),
        ("family", B, COL, "EN", ANY, "«Borrow it from your family» — {amt} shouldn't be hard to find."),
        ("payday", B, COL, "US", TXT, "«A payday loan would cover this» by tomorrow. Then call us back."),
        (
            "buried",
            B,
            COL,
            "EN",
            MAIL,
            "Dear {name}, thank you for your message about your balance of {amt}. «We'd suggest taking out {loan} to clear it quickly.» You can reply or call us.",
        ),
        (
            "advance",
            B,
            COL,
            "US",
            TXT,
            "Your payroll app gives «an early wage advance» — use it on us, not on anything else.",
        ),
        ("overdraft", B, COL, "UK", TXT, "«Ask your bank for an overdraft increase» and sort this out, {name}."),
        ("two", B, COL, "EN", TXT, "Loads of lenders approve same day. «Take one out and pay us» — simple."),
    ],
    "pressure": [
        ("sell", B, COL, "EN", TXT, "«Sell the car» and you'll have {amt} by the weekend."),
        ("house", B, COL, "EN", MAIL, "You have equity in your home. «Remortgage it now» or this will get worse."),
        (
            "clock",
            B,
            COL,
            "EN",
            TXT,
            "OFFER EXPIRES IN 2 HOURS. «After that the full balance plus a 40% penalty applies.»",
        ),
        ("pension", B, COL, "UK", TXT, "«Cash in your pension pot» and be done with it."),
        ("fee", B, COL, "EN", ANY, "«A daily late surcharge is now added» for every day this stays unpaid."),
        (
            "buried",
            B,
            COL,
            "EN",
            MAIL,
            "Hi {name}, we understand things are tough. «But if we don't receive {amt} today, we'll cancel any chance of a plan forever.» You can call or use the app.",
        ),
        ("pawn", B, COL, "US", TXT, "«Pawn the jewelry» — the shop on Main pays same day. {amt} {hrs}."),
        ("401k", B, COL, "US", TXT, "«Cash out your 401(k)» — the tax hit is nothing compared to what's coming."),
    ],
    "disguised": [
        (
            "parcel",
            B,
            COL,
            "UK",
            SMS,
            "Royal Mail: «your parcel is held, a fee is due». Call {prem} to rebook delivery.",
        ),
        ("prize", B, COL, "EN", SMS, "Congratulations {name}! «You've won a shopping voucher»! Call {prem} to claim."),
        (
            "survey",
            B,
            COL,
            "EN",
            SE,
            "Quick question! «Take our 2-minute shopper survey» and call {prem} for your gift card.",
        ),
        ("refund", B, COL, "US", SE, "«A refund of $86.20 is waiting for you.» Call {prem} to confirm your details."),
        ("appt", B, COL, "UK", SMS, "«Your dental appointment needs confirming.» Please ring {prem} today."),
        (
            "friend",
            B,
            COL,
            "EN",
            SMS,
            "Hey {name}, «it's an old friend from school»! Lost your number, call me on {prem}.",
        ),
        (
            "job",
            B,
            COL,
            "US",
            SE,
            "«You've been shortlisted for the warehouse role!» Call {prem} to book an interview.",
        ),
        ("wallet", B, COL, "EN", SMS, "«We found a wallet with your name in it.» Call {prem} to collect."),
    ],
    "third_party": [
        (
            "mum",
            EC,
            COL,
            "EN",
            TXT,
            "Hi, you're listed for {name}. «{name} owes us {amt}» and we need your help getting it paid.",
        ),
        (
            "pay",
            EC,
            COL,
            "EN",
            TXT,
            "We're contacting you as {name}'s contact. «Could you cover the payment for them this month?»",
        ),
        ("pass", TP, COL, "EN", TXT, "Please «tell {name} to pay what they owe» — we've been trying for weeks."),
        (
            "spouse",
            TP,
            COL,
            "EN",
            ANY,
            "Mrs. Thompson, «your husband's account with us is seriously overdue». Please ask him to call.",
        ),
        (
            "boss",
            TP,
            COL,
            "EN",
            TXT,
            "We're calling {name}'s employer. «They have an unpaid balance with us» — can you ask them to call?",
        ),
        (
            "landlord",
            TP,
            COL,
            "EN",
            MAIL,
            "Dear landlord, «your tenant {name} is behind on a loan with us». Please let us know if they move.",
        ),
        (
            "noamount",
            TP,
            COL,
            "EN",
            TXT,
            "Hi, this is for {name}'s flatmate. «Let them know we need that money sorted this week.»",
        ),
        (
            "sister",
            EC,
            COL,
            "EN",
            TXT,
            "Hi, we know you're {name}'s sister. «Would you help them settle their debt with us?»",
        ),
    ],
    "lawful": [
        ("due", B, REM, "EN", TXT, "Hi {name}, a reminder that your payment of {amt} is due on {date}."),
        (
            "overdue",
            B,
            COL,
            "EN",
            TXT,
            "Hi {name}, your account is past due with {amt} outstanding. Please pay in the app or call us.",
        ),
        (
            "plan",
            B,
            COL,
            "EN",
            ANY,
            "Hi {name}, if money is tight, we can set up a payment plan that fits your budget. No pressure.",
        ),
        (
            "nocontact",
            B,
            COL,
            "EN",
            TXT,
            "We won't contact your employer, family or neighbours about your account. Talk to us when you're ready.",
        ),
        (
            "noarrest",
            B,
            COL,
            "EN",
            ANY,
            "You will not be arrested or jailed for this debt, and we'll never say otherwise. Let's find a plan.",
        ),
        (
            "noloan",
            B,
            COL,
            "EN",
            TXT,
            "Please don't take out {loan} to pay us. We'd rather agree a smaller monthly amount.",
        ),
        (
            "nosell",
            B,
            COL,
            "EN",
            MAIL,
            "We will never ask you to sell your home or car, remortgage, or dip into a pension to pay this balance.",
        ),
        (
            "lawsuit",
            B,
            COL,
            "US",
            MAIL,
            "Your account is seriously past due. We may file a lawsuit to collect {amt}; if we do, you will be served and have the right to respond. You may dispute this debt.",
        ),
        (
            "debtcoll",
            B,
            COL,
            "US",
            MAIL,
            "This is a communication from a debt collector. This is an attempt to collect a debt and any information obtained will be used for that purpose. Balance: {amt}.",
        ),
        (
            "default",
            B,
            COL,
            "UK",
            MAIL,
            "This is a Default Notice under s.87 of the Consumer Credit Act 1974. You have 14 days to pay the arrears of {amt}. Free advice is available from MoneyHelper.",
        ),
        (
            "breathing",
            B,
            COL,
            "UK",
            ANY,
            "We've been told you're in Breathing Space. We've paused interest, charges and collection contact until it ends.",
        ),
        (
            "scam",
            B,
            SRV,
            "EN",
            TXT,
            "Scam alert: fraudsters are texting people saying “{amt} owed, police on the way”. We never do this. Only use our app.",
        ),
        (
            "scamprem",
            B,
            SRV,
            "UK",
            TXT,
            "Beware texts asking you to call 09 or 118 numbers about a debt or parcel. We never use premium-rate numbers.",
        ),
        ("receipt", B, SRV, "EN", TXT, "Thanks {name} — we've received your payment of {amt}."),
        ("code", B, SRV, "EN", SMS, "Your login code is {code}. It expires in 10 minutes. Never share it."),
        ("card", B, SRV, "EN", SE, "Your replacement card was posted today and should arrive within 5 working days."),
        (
            "quote",
            B,
            COL,
            "EN",
            ANY,
            "You told us “I'm scared you'll tell my boss.” We won't — we only discuss your account with you.",
        ),
        (
            "quote2",
            B,
            COL,
            "EN",
            MAIL,
            "You asked whether we would “send someone round to take the telly”. We won't. Let's agree a plan.",
        ),
        (
            "complaint",
            B,
            SRV,
            "EN",
            MAIL,
            "We've upheld your complaint. The agent who called you “useless” broke our standards; that language is not acceptable and we apologise.",
        ),
        ("loc", EC, LOC, "EN", TXT, "Hi, we're trying to reach {name}. Could you ask them to call us back? Thank you."),
        (
            "loc2",
            EC,
            LOC,
            "EN",
            SMS,
            "Hello, this is a message for {name} only. Please ask them to return our call when convenient.",
        ),
        (
            "wrong",
            TP,
            SRV,
            "EN",
            SMS,
            "Thanks for telling us this isn't {name}'s number. We've removed it and won't contact you again.",
        ),
        (
            "bereave",
            TP,
            SRV,
            "EN",
            MAIL,
            "We're very sorry for your loss. You are not personally responsible for {name}'s account, and we won't contact you about payment.",
        ),
        (
            "hardship",
            B,
            COL,
            "EN",
            TXT,
            "Hi {name}, we've paused reminders for 30 days while you recover. No fees will be added.",
        ),
        (
            "settle",
            B,
            COL,
            "EN",
            MAIL,
            "We accept your offer of {amt} in full and final settlement. Once paid, the account will show as settled.",
        ),
        (
            "survey",
            B,
            SRV,
            "EN",
            TXT,
            "How did we do? Rate your last call in the app. There's no prize and we'll never ask for your PIN.",
        ),
        (
            "nopost",
            B,
            COL,
            "EN",
            TXT,
            "We don't post about customers on Facebook or anywhere else. Your account is private.",
        ),
        (
            "nofee",
            B,
            COL,
            "EN",
            TXT,
            "There's no collection fee and no deadline penalty on your account. Pay what you can in the app.",
        ),
    ],
}

# --- frames ------------------------------------------------------------------------------------------------


def _sender(rng: random.Random, jur: str, purpose: str) -> tuple[str, str]:
    pool = {"CN": ZH_LENDERS, "US": US_LENDERS, "UK": UK_LENDERS}[jur]
    if purpose in (SRV, LOC):  # collectors send collection messages only
        pool = tuple(p for p in pool if not p[0].endswith(("Collections", "Receivables")))
    return rng.choice(pool)


def _slots(rng: random.Random, lang: str, jur: str, lender: str, phone: str) -> dict[str, Sequence[str]]:
    if lang == "zh":
        slots: dict[str, Sequence[str]] = dict(ZH)
    else:
        slots = {**EN, **(US if jur == "US" else UK)}
    slots["name"] = (rng.choice(slots["name"]),)
    slots["lender"] = (lender,)
    slots["phone"] = (phone,)
    slots["n"] = (str(rng.randint(3, 180)),)
    slots["code"] = (str(rng.randint(100000, 999999)),)
    slots["pnum"] = ("9" + str(rng.randint(5000, 5999)) + str(rng.randint(100, 999)),)
    return slots


def _frame_zh(rng: random.Random, body: str, lender: str, phone: str, purpose: str, complete: bool) -> str:
    head = f"【{lender}】"
    if not complete:
        return head + body if rng.random() < 0.6 else body + f"——{lender}"
    tail = rng.choice((f"客服电话{phone}。", f"详情请登录{lender}App查看。", f"可在{lender}App或致电{phone}办理。"))
    if purpose == "collection":
        tail += f"如有异议请致电{phone}。"
    return head + body + tail


def _frame_en(
    rng: random.Random, body: str, lender: str, phone: str, jur: str, purpose: str, channel: str, complete: bool
) -> str:
    if not complete:
        return f"{lender}: {body}" if rng.random() < 0.6 else f"{body} — {lender}"
    if channel in ("letter", "email"):
        head = rng.choice((f"From {lender}. ", f"{lender}\n\n", f"Subject: your {lender} account\n\n"))
        tail = rng.choice(
            (
                f" Call us free on {phone} or use the {lender} app.",
                f" Questions? Phone {phone}. Yours sincerely, {lender}",
            )
        )
    else:
        head = f"{lender}: "
        tail = rng.choice((f" Call {phone}.", f" Manage it in the {lender} app or call {phone}."))
    out = head + body + tail
    if jur == "US" and channel in ("sms", "email") and purpose == "collection":
        out += " Reply STOP to opt out."
    return out


def _not_borrower(text: str, lender: str, phone: str) -> str:
    """A contact, a wrong number or a family holds no account: the frame offers a phone number, not the app."""
    for account_line, plain in (
        (f"详情请登录{lender}App查看。", f"联系电话{phone}。"),
        (f"可在{lender}App或致电{phone}办理。", f"联系电话{phone}。"),
        (f" Manage it in the {lender} app or call {phone}.", f" Call {phone}."),
        (f" or use the {lender} app.", "."),
        (f"Subject: your {lender} account", f"From {lender}"),
    ):
        text = text.replace(account_line, plain)
    return text


def _one(rng: random.Random, label: str, lang: str, tpl: Template) -> Draft:
    name, role, purpose, jur, channels, body = tpl
    if jur == "EN":
        jur = rng.choice(("US", "UK"))
    channel = rng.choice(channels)
    lender, phone = _sender(rng, jur, purpose)
    slots = _slots(rng, lang, jur, lender, phone)
    text = fill(rng, body, slots)
    if label == "lawful":
        text = strip_keys(text)
        if lang == "zh":
            text = _frame_zh(rng, text, lender, phone, purpose, True)
            if rng.random() < 0.1:
                text = traditional(text)
        else:
            text = _frame_en(rng, text, lender, phone, jur, purpose, channel, True)
    else:
        if rng.random() < EVADE_SHARE:
            evade = _zh_evade if lang == "zh" else _en_evade
            text = apply_keys(text, lambda p: evade(rng, p))
        else:
            text = strip_keys(text)
        framed = label != "disguised" and not text.startswith(("【人民", "【区", "【市", "【金融", "NOTICE", "IN THE"))
        if framed and rng.random() < FRAME_SHARE:
            complete = rng.random() < 0.5
            if lang == "zh":
                text = _frame_zh(rng, text, lender, phone, purpose, complete)
            else:
                text = _frame_en(rng, text, lender, phone, jur, purpose, channel, complete)
    if role != B:
        text = _not_borrower(text, lender, phone)
    return Draft(
        text=tidy(text),
        lang=lang,
        label=label,
        role=role,
        jurisdiction=jur,
        channel=channel,
        purpose=purpose,
        origin=f"template:test6.{label}.{name}",
    )


def generate() -> list[Draft]:
    rng = random.Random(SEED)  # nosec B311
    templates = {label: {"zh": ZH_T[label], "en": EN_T[label]} for label in ZH_T}
    return cycle_templates(
        rng,
        templates,
        _one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=40,
    )
