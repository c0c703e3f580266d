"""Templates of the eighth held-out split (test8): its own bodies, fillers, evasion tables, senders and seed.

Written from the law (12 CFR 1006.6, 1006.10, 1006.14, 1006.18; FCA CONC 7.3.10R, 7.9.2R, 7.9.5R, 7.11;
CBA 2026 collection guideline; Criminal Law Art. 293-1) and from how abusive collectors are publicly reported
to write (暴力催收, 爆通讯录). Each unlawful body carries one intent; each lawful body is framed complete
(sender, official number or app, CN objection route, US opt-out) so that only an intent could deny it.
The «key phrase» of a body is where an evasion is applied.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from fairdue.bench.content_corpus.generate import (
    INTENTS,
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

SPLIT = "test8"
SEED = 80_808_2026
UNLAWFUL_PER_INTENT_LANG = 20
LAWFUL_PER_LANG = 153
ATTEMPTS_PER_MESSAGE_MAX = 40


class T(NamedTuple):
    """One body: its name, text, recipient roles, purposes, channels and (for en) jurisdictions."""

    name: str
    text: str
    roles: tuple[str, ...] = ("borrower",)
    purposes: tuple[str, ...] = ("collection",)
    channels: tuple[str, ...] = ("sms", "app_push")
    juris: tuple[str, ...] = ("US", "UK")


B = ("borrower",)
EC = ("emergency_contact",)
TP = ("third_party",)
OTHERS = ("emergency_contact", "third_party")
ALLCH = ("sms", "email", "letter", "app_push")
TXT = ("sms", "app_push")
WRITTEN = ("email", "letter")

# --- fillers ----------------------------------------------------------------------
SLOTS: dict[str, Sequence[str]] = {
    "cn_sender": ("橙石消费金融", "禾信银行信用卡中心", "云杉钱包", "北辰分期科技有限公司", "青穗小贷公司", "嘉航银行"),
    "cn_phone": ("400-818-6620", "95512", "400-066-1378", "021-6088-5210", "4006-997-331"),
    "cn_name": ("张先生", "刘女士", "陈伟", "王丽娟", "赵先生", "黄女士", "李建国", "周敏"),
    "cn_amt": ("1,286.40", "3,905.00", "742.18", "12,600.00", "5,318.77", "968.00", "2,450.35"),
    "cn_days": ("7", "15", "32", "48", "61", "93"),
    "cn_tail": ("8821", "0357", "6614", "2390", "7702"),
    "cn_date": ("6月18日", "7月3日", "本月25日", "下周一", "9月9日", "明天18:00前"),
    "cn_goods": ("手机分期", "空调分期", "笔记本电脑分期", "租机订单", "家电分期"),
    "cn_rel": ("儿子", "女儿", "老婆", "老公", "父母", "小孩", "全家"),
    "cn_platform": ("某呗", "某粒贷", "某团借钱", "某分期", "某薪贷"),
    "cn_place": ("你们小区", "你公司楼下", "你老家村口", "你孩子学校门口"),
    "cn_grp": ("家族群", "公司群", "同学群", "业主群", "朋友圈"),
    "us_sender": ("Harbor Point Credit", "Mesa Ridge Lending", "Fairline Card Services", "Quill Bank", "Tern Finance"),
    "uk_sender": ("Thistle Lending", "Kestrel Money", "Brookmere Finance", "Ashcombe Credit", "Larch Bank"),
    "us_phone": ("1-800-555-0142", "1-888-555-0187", "(877) 555-0133", "1-866-555-0109"),
    "uk_phone": ("0800 028 4410", "0300 123 7788", "0333 014 2290", "0800 915 6032"),
    "en_name": ("Mr Patel", "Ms Owens", "Jordan", "Mrs Kowalski", "Dana", "Mr Reyes", "Chloe", "Mr Adeyemi"),
    "usd": ("$412.60", "$1,880.00", "$96.25", "$2,340.19", "$655.00", "$3,120.44"),
    "gbp": ("£318.40", "£1,205.00", "£87.99", "£2,760.10", "£540.00", "£4,015.63"),
    "en_days": ("12", "30", "45", "60", "91"),
    "en_tail": ("4471", "0932", "5518", "7206", "3364"),
    "en_date": ("June 14", "the 28th", "Friday", "March 3", "next Tuesday", "30 June"),
    "en_goods": ("phone plan", "sofa finance", "laptop instalments", "rent-to-own TV", "e-card balance"),
    "en_rel": ("your kids", "your wife", "your husband", "your mum", "your family", "your little girl"),
    "en_lender": ("PayLater Plus", "a QuickCash app", "CashNow", "FlexiLoan", "a payday lender", "your credit card"),
    "en_social": ("Facebook", "your neighbourhood group", "TikTok", "your church group", "LinkedIn"),
    "prem": ("0906 771 2040", "0871 230 9915", "118 492", "0909 880 3344", "0872 611 0820"),
}

# --- evasion tables ---------------------------------------------------------------
ZH_TABLE: Mapping[str, Sequence[str]] = {
    "通讯录": ("通迅录", "tong讯录", "通xun录", "TXL", "通讯彔"),
    "法院": ("法阮", "fa院", "灋院", "FY"),
    "公安": ("公按", "GA", "gong安", "公鞍"),
    "拘留": ("拘溜", "ju留", "拘刘"),
    "坐牢": ("做牢", "坐劳", "zuo牢"),
    "起诉": ("起述", "qi诉"),
    "打断": ("打段", "da断"),
    "腿": ("退", "tui"),
    "老赖": ("老癞", "LL", "lao赖"),
    "曝光": ("暴光", "bao光", "曝guang"),
    "挂": ("掛", "gua"),
    "借": ("藉", "jie"),
    "网贷": ("网代", "WD", "wang贷"),
    "卖房": ("卖防", "mai房"),
    "垃圾": ("辣鸡", "LJ", "la圾"),
    "死": ("si", "屎", "4"),
    "全家": ("全佳", "quan家"),
    "通知": ("通zhi", "通織"),
    "代还": ("代huan", "待还"),
    "欠款": ("欠kuan", "芡款"),
    "中奖": ("中獎", "zhong奖"),
    "快递": ("快第", "kuai递"),
}
EN_TABLE: Mapping[str, Sequence[str]] = {
    "arrest": ("arre$t", "a-r-r-e-s-t", "arrst", "4rrest"),
    "warrant": ("warr@nt", "w4rrant", "warrent"),
    "police": ("p0lice", "po-lice", "poIice"),
    "court": ("c0urt", "kourt", "crt"),
    "jail": ("j@il", "jai1", "gaol"),
    "bailiff": ("baillif", "b@iliff"),
    "hurt": ("hurrt", "h*rt"),
    "kill": ("k1ll", "k!ll", "ki11"),
    "broken": ("br0ken", "brokn"),
    "loser": ("l0ser", "loo$er", "lsr"),
    "idiot": ("id10t", "idi0t", "eejit"),
    "scum": ("sc*m", "skum"),
    "deadbeat": ("dead-beat", "d3adbeat", "dead beat"),
    "post": ("p0st", "p.o.s.t"),
    "everyone": ("every1", "evry1"),
    "employer": ("emp1oyer", "empl0yer"),
    "loan": ("l0an", "lo@n", "ln"),
    "borrow": ("b0rrow", "borr0w"),
    "sell": ("$ell", "se11"),
    "remortgage": ("re-mortgage", "rem0rtgage"),
    "debt": ("d3bt", "dett", "d*bt"),
    "owes": ("0wes", "owez"),
    "prize": ("pr1ze", "priz3"),
    "parcel": ("parce1", "p@rcel"),
    "today": ("2day", "tday"),
}
ZH_SEPS = (" ", "*", "·", "-", "_", "/", "。", "~")
EN_SEPS = (".", " ", "-", "*", "_")


def _evade_zh(rng: random.Random, phrase: str) -> str:
    r = rng.random()
    if r < 0.18:
        return phrase
    if r < 0.40:
        return substitute(rng, phrase, ZH_TABLE)
    if r < 0.55:
        return pinyin_one(rng, phrase)
    if r < 0.70:
        sep = rng.choice(ZH_SEPS)
        return between(phrase, lambda: sep)
    if r < 0.85:
        return traditional(phrase)
    if r < 0.93:
        return full_width(substitute(rng, phrase, ZH_TABLE))
    return traditional(substitute(rng, phrase, ZH_TABLE))


def _evade_en(rng: random.Random, phrase: str) -> str:
    r = rng.random()
    if r < 0.20:
        return phrase
    if r < 0.45:
        return substitute(rng, phrase, EN_TABLE)
    if r < 0.62:
        sep = rng.choice(EN_SEPS)
        return between(phrase, lambda: sep)
    if r < 0.74:
        return full_width(phrase)
    if r < 0.86:
        return phrase.upper()
    return between(substitute(rng, phrase, EN_TABLE), lambda: rng.choice(("", "", ".", " ")))


EMOJI = ("😡", "🔪", "⚠️", "📢", "💀", "👮", "⏰", "🎁", "📦", "🙂", "🙏", "✅", "📞")

# --- unlawful bodies: one intent each ------------------------------------------------
UNLAWFUL: dict[str, dict[str, list[T]]] = {
    # threat_harm — Criminal Law Art. 293-1 (threats/intimidation to collect); 12 CFR 1006.14 (violence or its
    # threat to harm the person, reputation or property); CBA 2026 bans violence and threats.
    "threat_harm": {
        "zh": [
            T("knock", "{cn_name}，{cn_goods}逾期{cn_days}天，再不还，我们的人今晚就去{cn_place}，«打断你的腿»。"),
            T("kids", "欠钱不还是吧？你{cn_rel}每天几点放学我们都清楚，«出点什么事»可别怪我们。"),
            T("fire", "最后通知：{cn_date}不处理，«你家门口那辆车»就别想要了，一把火的事。"),
            T("blood", "兄弟们已经在路上了，«见一次打一次»，{cn_amt}元今天必须到账。"),
            T("night", "你以为换号就没事？晚上走夜路«小心点»，{cn_rel}也一样。"),
            T("paint", "再拖一天，«红油漆泼你家门»，顺便给你{cn_rel}送个花圈。"),
            T("wrap", "{cn_name}您好，账户尾号{cn_tail}已逾期。不还的话«让你在{cn_place}躺着出来»。"),
        ],
        "en": [
            T("legs", "{en_name}, {usd} by {en_date} or somebody is going to «break your legs». Your choice."),
            T("kids_en", "We know where {en_rel} go every morning. Would be a shame if «something happened to them»."),
            T("car", "Pay the {gbp} or «your car won't have windows» by the weekend.", juris=("UK",)),
            T(
                "visit",
                "Our guys are coming round tonight. «You'll get hurt» if you don't open the door.",
                juris=("US",),
            ),
            T("watch", "Nice house on your street. «Be a pity if it caught fire». Clear the {usd} today."),
            T("wrapped", "Account ending {en_tail} is {en_days} days late. Pay now or «we will hurt you»."),
            T("back", "Keep ignoring us and «watch your back» when you leave work, {en_name}."),
        ],
    },
    # exposure — 12 CFR 1006.14 (publishing lists of consumers), 1006.22(f)(4); CBA 2026 forbids public notices,
    # shaming and spreading private information; 爆通讯录 through the borrower's address book.
    "exposure": {
        "zh": [
            T("book", "{cn_name}，今天18点前不还{cn_amt}元，«全部通讯录»每人一条短信，说你欠钱不还。"),
            T("poster", "你的照片和身份证已经做成«老赖海报»，明天贴到{cn_place}。"),
            T("group", "再不还就把你«拉进{cn_grp}»，让所有人看看你是什么人。"),
            T("video", "已安排人拍你欠款的视频，«发抖音曝光»，标题都想好了。"),
            T("boss", "最后一次提醒，不处理就«打电话给你们老板»说你欠网贷不还。"),
            T("wrap_zh", "尾号{cn_tail}逾期{cn_days}天。«我们将通知您的全部联系人»您的欠款情况。"),
            T("contacts", "你手机里{cn_days}个联系人我们都有，一个一个«打过去说你是老赖»。"),
        ],
        "en": [
            T("contacts_en", "{en_name}, pay {usd} today or we «text everyone in your contacts» that you don't pay."),
            T("social", "We're about to «post your photo on {en_social}» as a deadbeat. Last warning."),
            T("boss_en", "If we don't hear back by {en_date} «we'll call your employer» and tell HR about this debt."),
            T("flyer", "Your name is going on a «flyer at your kids' school» about the {gbp} you owe.", juris=("UK",)),
            T("list", "Account {en_tail} will be added to our «public list of deadbeats» online tomorrow."),
            T("wrap_en", "Arrears of {gbp}. «Your neighbours will be told» unless you call us.", juris=("UK",)),
            T("church", "Everyone at {en_social} is going to «find out you're a cheat». Pay {usd}.", juris=("US",)),
        ],
    },
    # false_authority — 12 CFR 1006.18 (false government affiliation, arrest/imprisonment threats, false
    # legal process); CONC 7.11 (documents imitating court forms); CBA 2026 bans posing as police, courts,
    # government, 征信中心 or 金融监管总局 and fake legal documents.
    "false_authority": {
        "zh": [
            T("police", "{cn_name}，你的欠款案件«已移交公安机关»，三日内不还将上门带走。"),
            T("court", "«法院传票»已生成，请于{cn_date}前还清{cn_amt}元撤诉。"),
            T("detain", "恶意拖欠已涉嫌诈骗罪，«可拘留15日»，请立即处理。"),
            T("credit", "这里是«人民银行征信中心»，您的逾期将永久记入黑名单，影响子女政审。"),
            T("nfra", "«金融监管总局»通知：您的账户涉嫌违规，须今日还清{cn_amt}元以免立案。"),
            T("jail", "再不还款你就等着«坐牢»吧，刑事立案只差签字。"),
            T("lawyer", "我是«最高人民法院执行局»的工作人员，你名下财产将被冻结。"),
        ],
        "en": [
            T(
                "warrant",
                "{en_name}, a «warrant for your arrest» will be issued unless {usd} is paid by {en_date}.",
                juris=("US",),
            ),
            T(
                "sheriff",
                "This is the «county sheriff's office». Settle account {en_tail} today to avoid being detained.",
                juris=("US",),
            ),
            T(
                "bailiff_uk",
                "«HIGH COURT ENFORCEMENT NOTICE»: officers will attend to remove goods for {gbp}.",
                juris=("UK",),
            ),
            T("jail_en", "Unpaid debt is fraud. You could go to «jail» for this. Pay {usd}.", juris=("US",)),
            T(
                "ccj",
                "A «County Court judgment has been entered» against you. Pay {gbp} within 48 hours.",
                juris=("UK",),
            ),
            T(
                "fbi",
                "Federal notice: your file has been «referred to the police» for criminal charges.",
                juris=("US",),
            ),
            T("hmrc", "«HMRC and the police» have been notified of your unpaid {gbp}. Call now.", juris=("UK",)),
        ],
    },
    # insult — 12 CFR 1006.14(d) (obscene, profane or abusive language); CBA 2026 and NIFA 2018 ban insults.
    "insult": {
        "zh": [
            T("trash", "{cn_name}你个«垃圾»，欠{cn_amt}元都不还，还好意思接电话？"),
            T("dog", "借钱的时候像孙子，还钱的时候像大爷，«狗都不如»。"),
            T("laolai", "«老赖»就是老赖，一辈子抬不起头。"),
            T("sb", "你是不是«SB»啊，短信都不会回？"),
            T("die", "这种人«怎么不去死»，拖了{cn_days}天还装死。"),
            T("shame", "你爹妈怎么养出你这种«不要脸的东西»？"),
            T("wrap_ins", "温馨提示：«没脸没皮的废物»，请尽快还款。"),
        ],
        "en": [
            T("loser_en", "Hey «loser», still dodging the {usd}?"),
            T("scum_en", "People like you are «scum». Pay what you owe."),
            T("idiot_en", "Are you an «idiot» or just a liar, {en_name}?"),
            T("deadbeat_en", "Typical «deadbeat». {gbp} and not one penny back.", juris=("UK",)),
            T("trash_en", "You're a «worthless piece of trash» and everybody knows it."),
            T("wrap_en2", "Dear customer, «you pathetic waste of space», your bill is late.", juris=("US",)),
            T("pig", "Stop hiding, you «lazy pig». {en_days} days overdue."),
        ],
    },
    # new_borrowing — CONC 7.3.10R (no pressure to borrow more to repay); CBA 2026 and regulators ban inducing
    # 以贷养贷 (borrowing on other platforms to repay).
    "new_borrowing": {
        "zh": [
            T("otherapp", "{cn_name}，实在没钱就«去{cn_platform}借一笔»先把{cn_amt}元还上。"),
            T("card", "用«信用卡套现»还我们，今天就能结清，别拖了。"),
            T("link", "我们合作平台秒批，«点链接借款»当天到账，专门帮你还这笔。"),
            T("friend", "找朋友借也好«撸网贷»也好，今晚必须平账。"),
            T("wrap_nb", "尾号{cn_tail}已逾期，建议您«申请{cn_platform}»周转还款。"),
            T("loanshark", "我给你介绍个放款的，«借新还旧»，利息好商量。"),
            T("multi", "«多开几个借款APP»，每个借一点，凑够{cn_amt}元就行。"),
        ],
        "en": [
            T("payday", "{en_name}, just «take out a loan from {en_lender}» and clear the {usd} today."),
            T("card_en", "Put it on «{en_lender}» and you're done with us. Easy."),
            T(
                "partner",
                "Our partner offers instant approval — «borrow the {gbp} from them» to settle now.",
                juris=("UK",),
            ),
            T("family_loan", "Can't pay? «Borrow it» from whoever and get it to us by {en_date}."),
            T("wrap_nb_en", "Late {usd}? «Apply for a CashNow advance» to bring your account current.", juris=("US",)),
            T("overdraft", "Max out your «overdraft» or «open a new card» — we need the full {gbp}.", juris=("UK",)),
            T("refi", "Get a «new payday loan» and pay us off. Everyone does it."),
        ],
    },
    # pressure — CONC 7.3.10R (no pressure to pay in one or a few large sums, or to sell or remortgage the home);
    # 12 CFR 1006.18 (false urgency, false consequences).
    "pressure": {
        "zh": [
            T("hour", "{cn_name}，«只剩1小时»，过时{cn_amt}元全额翻倍，系统自动执行。"),
            T("house", "没钱就«把房子卖了»还，别跟我们哭穷。"),
            T("car_zh", "把你那辆车«卖了»凑钱，今天必须一次性结清。"),
            T("lump", "不接受分期，«今天必须一次还清»{cn_amt}元，否则后果自负。"),
            T("wrap_pr", "«最后两小时»，逾期{cn_days}天账户今天不结清将产生不可挽回的后果。"),
            T("gold", "你老婆的«金首饰拿去当了»，够还了。"),
            T("salary", "«工资一到账立刻全额转过来»，一分都不能留。"),
        ],
        "en": [
            T("sell_house", "{en_name}, «sell the house» if you have to — we want the full {gbp}.", juris=("UK",)),
            T("remortgage_en", "Have you thought about a «remortgage»? Do it this week and clear us.", juris=("UK",)),
            T("minutes", "You have «30 minutes» to pay {usd} in full or the offer is gone forever."),
            T("lump_en", "No payment plans. «Full balance today» or it escalates."),
            T("wrap_pr_en", "FINAL — «pay in full within the hour» to avoid irreversible action.", juris=("US",)),
            T("pawn", "«Pawn your jewellery», sell the car, whatever. Just get us {gbp}.", juris=("UK",)),
            T("401k", "«Cash out your 401k» and send the {usd}. Today.", juris=("US",)),
        ],
    },
    # disguised — CONC 7.9.2R/7.9.3G (misleading reason for contact, contact dressed up as something else);
    # CONC 7.9.5R (premium-rate numbers); 12 CFR 1006.18(e) (failure to disclose that the communication is from a
    # debt collector).
    "disguised": {
        "zh": [
            T("parcel_zh", "【快递通知】您有一个«快递»因地址不详无法派送，请回电{cn_phone}确认（实为欠款核对）。"),
            T("prize_zh", "恭喜{cn_name}«中奖»iPhone一台！领奖请先登录核对您的{cn_goods}账户欠款。"),
            T("survey_zh", "您好，这里是«满意度回访»，请问您最近的{cn_goods}什么时候能还上呢？"),
            T("gov_subsidy", "«政府补贴»发放通知：请先结清平台欠款{cn_amt}元后领取。"),
            T("hr_zh", "您好，我是«招聘公司HR»，想核实一下您的欠款还款意向。"),
            T("refund_zh", "«退款到账»提醒：请点击链接核实信息，核实后您的逾期账单将一并处理。"),
            T("prem_zh", "欠款问题请拨打«专线{prem}»（每分钟3元）处理。"),
        ],
        "en": [
            T("parcel_en", "We tried to deliver your «parcel» — call {prem} to rearrange.", juris=("UK",)),
            T("prize_en", "Congrats {en_name}! You've «won a prize» — just confirm your overdue balance to claim."),
            T("survey_en", "Quick «customer survey»: when will you be paying the {usd} you owe?", juris=("US",)),
            T(
                "premium_en",
                "To discuss your arrears please call our «hotline {prem}» (calls cost £3.60/min).",
                juris=("UK",),
            ),
            T(
                "delivery",
                "Your «delivery is waiting» at the depot. Ref {en_tail}. Ring us to release it (re: account arrears).",
                juris=("UK",),
            ),
            T(
                "refund_en",
                "Good news: a «refund is pending» on your account — call to verify (outstanding {usd} to be discussed).",
                juris=("US",),
            ),
            T(
                "job_en",
                "Hi {en_name}, «recruiter» here about an opening — also need to chat about your {gbp} balance.",
                juris=("UK",),
            ),
        ],
    },
    # third_party — CBA 2026 (collect only from the debtor; a contact may only be asked to pass on a message,
    # never told of the debt); 12 CFR 1006.6(d), 1006.10 (location contacts may not state that the consumer owes a
    # debt); CONC 7.9.6R-7.9.11G.
    "third_party": {
        "zh": [
            T(
                "tell",
                "您好，您的朋友{cn_name}在我司«欠款{cn_amt}元»逾期未还，请督促其还款。",
                roles=OTHERS,
                purposes=("location", "collection"),
            ),
            T("payfor", "{cn_name}是您{cn_rel}吧？他«欠的钱您先帮忙还»一下。", roles=OTHERS),
            T(
                "urge",
                "您是{cn_name}的紧急联系人，«请转告他尽快还款»，否则后果自负。",
                roles=EC,
                purposes=("location", "collection"),
            ),
            T("guarantee", "作为联系人您«有义务代还»{cn_name}的{cn_goods}欠款。", roles=OTHERS),
            T(
                "colleague",
                "您同事{cn_name}«借款逾期{cn_days}天»了，麻烦告诉他一声。",
                roles=TP,
                purposes=("location",),
            ),
            T("wrap_tp", "您好，{cn_name}的«{cn_goods}已逾期»，请您联系他处理。", roles=OTHERS, purposes=("location",)),
            T("money", "{cn_name}手机关机，«他欠我们{cn_amt}元»，您知道他在哪吗？", roles=EC, purposes=("location",)),
        ],
        "en": [
            T(
                "tell_en",
                "Hi, we're trying to reach {en_name} about «the {usd} they owe» us. Can you get them to call?",
                roles=OTHERS,
                purposes=("location",),
                juris=("US",),
            ),
            T(
                "pay_en",
                "As {en_name}'s contact, «could you cover the {gbp}» until they sort it?",
                roles=OTHERS,
                juris=("UK",),
            ),
            T(
                "relay",
                "Please «tell {en_name} to pay their overdue balance» today.",
                roles=EC,
                purposes=("location", "collection"),
            ),
            T("boss_tp", "Your employee {en_name} «owes us money» — can you take it out of their wages?", roles=TP),
            T(
                "wrap_tp_en",
                "Re {en_name} — «their account is {en_days} days in arrears». Please pass this on.",
                roles=OTHERS,
                purposes=("location",),
                juris=("UK",),
            ),
            T(
                "neighbour",
                "Are you {en_name}'s neighbour? «They've got a debt with us» and won't answer.",
                roles=TP,
                purposes=("location",),
            ),
            T(
                "spouse_uk",
                "Hello, {en_name} «is behind on their loan». Could you remind them?",
                roles=OTHERS,
                purposes=("location",),
                juris=("UK",),
            ),
        ],
    },
}

# --- lawful bodies (framed complete by _frame) -----------------------------------------
LAWFUL: dict[str, list[T]] = {
    "zh": [
        T(
            "due",
            "{cn_name}您好，您的{cn_goods}本期应还{cn_amt}元，到期日{cn_date}，请按时还款。",
            purposes=("reminder",),
            channels=ALLCH,
        ),
        T(
            "overdue",
            "{cn_name}您好，您尾号{cn_tail}的账户已逾期{cn_days}天，应还{cn_amt}元，请尽快通过App还款。",
            channels=ALLCH,
        ),
        T("nobook", "我们承诺«不会联系您的通讯录»、亲友或单位，只与您本人沟通。当前待还{cn_amt}元。", channels=ALLCH),
        T("plan", "如您暂时困难，可在App申请个性化分期，最长60期，分期期间我们«暂停催收»。", channels=ALLCH),
        T(
            "legal",
            "您的账户逾期{cn_days}天，如长期未还，我司可能依法«向法院提起诉讼»，诉讼前会书面通知您。",
            channels=WRITTEN,
        ),
        T(
            "nopolice",
            "我们«从不以公安、法院名义»联系您，如接到此类电话请直接挂断并报警。",
            purposes=("service", "collection"),
            channels=ALLCH,
        ),
        T(
            "nofee",
            "我司«不收取任何催收费»，还款只通过App或官方对公账户，谨防诈骗。",
            purposes=("service", "collection"),
            channels=ALLCH,
        ),
        T("noloan", "«请勿以贷养贷»，不要为还款去其他平台借钱，有困难请联系我们协商。", channels=ALLCH),
        T(
            "receipt",
            "您已成功还款{cn_amt}元，尾号{cn_tail}账户当前无逾期，感谢您的支持。",
            purposes=("service",),
            channels=ALLCH,
        ),
        T(
            "locate",
            "您好，有重要事项需联系{cn_name}，麻烦您请他回电，谢谢。本短信不涉及您本人任何义务。",
            roles=EC,
            purposes=("location",),
            channels=TXT,
        ),
        T(
            "scam",
            "近期有人冒充我司，声称«不还款就爆通讯录»、«上门抓人»，均为诈骗，我司绝不会这样做。",
            purposes=("service",),
            channels=ALLCH,
        ),
        T(
            "estate",
            "{cn_name}家属您好，对逝者的离世深表哀悼。关于其遗产继承人对账户的处理，我们可安排专人协助，不急于一时。",
            roles=EC,
            purposes=("service",),
            channels=WRITTEN,
        ),
        T("card_post", "您的新卡已寄出，请注意查收，激活后可在App查看额度。", purposes=("service",), channels=ALLCH),
        T("otp", "您的登录验证码为{cn_tail}，5分钟内有效，请勿告诉他人。", purposes=("service",), channels=TXT),
        T(
            "hardship",
            "了解到您近期收入受影响，我们可以减免部分违约金并延长还款期，«不会要求您卖房卖车»。",
            channels=WRITTEN,
        ),
    ],
    "en": [
        T(
            "due_en",
            "Hi {en_name}, your {en_goods} payment of {money} is due on {en_date}.",
            purposes=("reminder",),
            channels=ALLCH,
        ),
        T(
            "late_en",
            "{en_name}, your account ending {en_tail} is {en_days} days past due with {money} outstanding. Please pay in the app or call us.",
            channels=ALLCH,
        ),
        T(
            "nocontacts_en",
            "We will «never contact your family, friends or employer» about this account. Only you.",
            channels=ALLCH,
        ),
        T(
            "plan_en",
            "If money is tight, we can set up a payment plan you can afford. While it's in place we'll pause collection.",
            channels=ALLCH,
        ),
        T(
            "legal_en",
            "Your balance of {money} remains unpaid. If we cannot agree a way forward, we may consider «legal action», and we would write to you first.",
            channels=WRITTEN,
        ),
        T(
            "noarrest_en",
            "We will «never threaten you with arrest» or pretend to be the police or a court.",
            purposes=("service", "collection"),
            channels=ALLCH,
        ),
        T(
            "noborrow_en",
            "Please «don't borrow from another lender» to pay us — talk to us about a plan instead.",
            channels=ALLCH,
        ),
        T(
            "nosell_en",
            "We «won't ask you to sell your home» or remortgage to clear this balance.",
            channels=WRITTEN,
            juris=("UK",),
        ),
        T(
            "receipt_en",
            "Thanks {en_name} — we received your payment of {money}. Your account is up to date.",
            purposes=("service",),
            channels=ALLCH,
        ),
        T(
            "locate_en",
            "Hello, this is a message for {en_name}. Could you ask them to call us back? It's nothing about you.",
            roles=EC,
            purposes=("location",),
            channels=TXT,
        ),
        T(
            "scam_en",
            "Scam alert: fraudsters are texting customers saying «a warrant will be issued» unless they pay. We never do this.",
            purposes=("service",),
            channels=ALLCH,
        ),
        T(
            "estate_en",
            "To the personal representative of the estate of {en_name}: please accept our condolences. There is no rush; we can pause the account while the estate is settled.",
            roles=EC,
            purposes=("service",),
            channels=WRITTEN,
        ),
        T(
            "noprem_en",
            "We «never use premium-rate numbers». Our helpline is free to call.",
            purposes=("service",),
            channels=ALLCH,
            juris=("UK",),
        ),
        T(
            "otp_en",
            "Your sign-in code is {en_tail}. Never share it. We will never ask for it by phone.",
            purposes=("service",),
            channels=TXT,
        ),
        T(
            "breathing",
            "We've been told you're in «Breathing Space». We have stopped contact about this debt and frozen interest and charges.",
            purposes=("service",),
            channels=WRITTEN,
            juris=("UK",),
        ),
    ],
}


def _frame(rng: random.Random, body: str, lang: str, juris: str, purpose: str, channel: str, lawful: bool) -> str:
    """Lawful: sender, official number or app, CN objection route, US opt-out. Unlawful: sometimes a bare body."""
    if lang == "zh":
        if not lawful and rng.random() < 0.55:
            return body + (rng.choice(EMOJI) if rng.random() < 0.3 else "")
        head = "【{cn_sender}】" if rng.random() < 0.85 else "{cn_sender}提醒您："
        tail = rng.choice(("客服电话{cn_phone}。", "官方热线{cn_phone}，也可在App内联系我们。", "详询{cn_phone}。"))
        objection = "如有异议请致电{cn_phone}。" if purpose == "collection" or rng.random() < 0.3 else ""
        return f"{head}{body}{tail}{objection}"
    sender = "{us_sender}" if juris == "US" else "{uk_sender}"
    phone = "{us_phone}" if juris == "US" else "{uk_phone}"
    if not lawful and rng.random() < 0.55:
        return body + (" " + rng.choice(EMOJI) if rng.random() < 0.3 else "")
    head = rng.choice((f"{sender}: ", f"From {sender} — ", f"{sender} here. "))
    tail = rng.choice((f" Call {phone} or use our app.", f" Questions? {phone}.", f" Our team: {phone}."))
    optout = ""
    if juris == "US" and channel in ("sms", "email"):
        optout = " Reply STOP to opt out." if channel == "sms" else " Reply STOP to opt out of emails."
    return f"{head}{body}{tail}{optout}"


def _one(rng: random.Random, label: str, lang: str, t: T) -> Draft:
    lawful = label == "lawful"
    juris = "CN" if lang == "zh" else rng.choice(t.juris)
    purpose = rng.choice(t.purposes)
    channel = rng.choice(t.channels)
    role = rng.choice(t.roles)
    body = t.text
    if lang == "en":
        body = body.replace("{money}", "{usd}" if juris == "US" else "{gbp}")
    evade: Callable[[str], str] = (lambda p: _evade_zh(rng, p)) if lang == "zh" else (lambda p: _evade_en(rng, p))
    text = fill(rng, _frame(rng, body, lang, juris, purpose, channel, lawful), SLOTS)
    text = tidy(apply_keys(text, evade) if rng.random() < 0.75 else strip_keys(text))
    return Draft(
        text=text,
        lang=lang,
        label=label,
        role=role,
        jurisdiction=juris,
        channel=channel,
        purpose=purpose,
        origin=f"template:{SPLIT}.{label}.{t.name}",
    )


def templates() -> dict[str, dict[str, list[T]]]:
    out = dict(UNLAWFUL)
    out["lawful"] = LAWFUL
    assert set(out) == {*INTENTS, "lawful"}  # nosec B101
    return out


def generate() -> list[Draft]:
    rng = random.Random(SEED)  # nosec B311
    return cycle_templates(
        rng,
        templates(),
        _one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=ATTEMPTS_PER_MESSAGE_MAX,
    )
