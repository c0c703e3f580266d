"""The test4 split's own generator (fourth held-out split, written last, measured once).

Written independently: without reading the content check (fairdue/policy/), the other splits' messages,
hand files or template modules. Only the neutral mechanics of generate.py are shared. Every template, filler,
homophone, emoji, frame and sender name below belongs to test4 alone. See README.md, "How test4 was written".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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

SEED = 9020261207
UNLAWFUL_PER_INTENT_LANG = 22
LAWFUL_PER_LANG = 132
ATTEMPTS_MAX = 40
EVADE_SHARE = 0.44  # unlawful messages whose key phrase gets one evasion
FRAME_SHARE = 0.5  # unlawful messages (never disguised) that carry a lender frame
FRAME_COMPLETE_SHARE = 0.6  # of those, the frame is complete (channel, objection route / opt-out)
TRADITIONAL_LAWFUL_SHARE = 0.09  # lawful zh messages written wholly in traditional characters


@dataclass(frozen=True, slots=True)
class T:
    """One template: body (with «key phrase» and {slots}), recipient role, channel, purpose, where (CN, US, UK, *)."""

    body: str
    role: str = "borrower"
    channel: str = "sms"
    purpose: str = "collection"
    where: str = "*"


# --- fillers -------------------------------------------------------------------------------------------------
ZH_LENDERS = ("禾风借", "拾光花", "柚见钱包", "青岚贷", "南溪消费金融", "松岭银行", "远帆小贷", "稻香分期", "白鹭借钱")
ZH_PHONES = ("400-826-3317", "400-615-0892", "95073", "400-909-2718", "021-6188-4470", "95326")
EN_LENDERS = {
    "US": (
        "Larkspur Credit",
        "Windmere Loans",
        "Hollis Bank",
        "Riverbend Finance",
        "Juniper Lending",
        "Pennant Credit",
        "Copperfield Collections",
        "Ridgeway Receivables",
    ),
    "UK": (
        "Ashgrove Money",
        "Northgate Bank",
        "Calder Finance",
        "Brightwater Loans",
        "Wherry Credit",
        "Meridian Recovery Services",
        "Foxton Lending",
    ),
}
EN_PHONES = {
    "US": ("1-866-555-0142", "1-877-555-0199", "1-888-555-0163", "(800) 555-0187"),
    "UK": ("0800 917 2264", "0333 014 5520", "0345 600 3187", "0800 048 7721"),
}
AGENCY_WORDS = ("Collections", "Receivables", "Services")
ZH_NEUTRAL = ("松岭银行", "南溪消费金融")
EN_NEUTRAL = {"US": ("Hollis Bank",), "UK": ("Northgate Bank",)}
PREMIUM = {
    "US": ("1-900-555-0127", "1-900-555-0174", "1-976-555-0110"),
    "UK": ("0906 118 4421", "0871 402 8833", "0872 551 0093", "118 472", "0909 870 3312"),
}

ZH_SLOTS: dict[str, Sequence[str]] = {
    "name": ("周明", "刘晓燕", "陈浩", "林佳怡", "王建国", "赵婷", "孙磊", "何静", "郭子涵", "马骏"),
    "kid": ("你儿子", "你闺女", "你家小孩", "你家老二", "你那个上初中的儿子"),
    "elder": ("你妈", "你爸", "你家老太太", "你奶奶", "你岳父"),
    "amt": ("3,280元", "1,946.50元", "12,700元", "860元", "5,415元", "23,090元", "7,602元"),
    "days": ("17", "35", "62", "9", "88", "124"),
    "date": ("12月12日", "12月15日", "12月20日", "1月3日", "12月31日"),
    "school": ("实验小学", "第三中学", "育才小学", "阳光幼儿园", "新城初中"),
    "place": ("小区门口", "你单位楼下", "菜市场那条街", "你老家村口", "地铁站出口"),
    "car": ("那辆白色大众", "你停在楼下的电动车", "你那辆黑色比亚迪", "你的小货车"),
    "app": ("借呗", "微粒贷", "京东金条", "美团借钱", "度小满", "分期乐", "360借条"),
    "asset": ("把车卖了", "把房子挂出去", "把金项链当了", "把保险退了", "把店盘出去", "把彩礼钱拿出来"),
    "group": ("家族群", "业主群", "家长群", "同学群", "公司大群", "老乡群"),
    "platform": ("抖音", "快手", "朋友圈", "微博", "小红书", "本地论坛"),
    "boss": ("你们领导", "你们人事", "你们老板", "你们HR", "你的主管"),
    "rel": ("你表哥", "你朋友", "你同事", "你室友", "你前夫", "你爱人"),
    "emo": ("🙂", "😊", "🌹", "🤝", "👍"),
}
EN_SLOTS_COMMON: dict[str, Sequence[str]] = {
    "name": ("Dana", "Marcus", "Priya", "Tom", "Shelley", "Jamal", "Kirsty", "Owen", "Beth", "Nathan"),
    "kid": ("your daughter", "your boy", "the little one", "your son", "your youngest"),
    "elder": ("your mum", "your dad", "your nan", "your mother", "your old man"),
    "days": ("14", "31", "46", "73", "90", "112"),
    "place": ("the bus stop", "your work car park", "the school gates", "your front door", "the corner shop"),
    "car": ("the silver Corolla", "that blue van", "your truck", "the Fiesta on your drive", "your bike"),
    "group": ("the church group", "the PTA chat", "your street's WhatsApp group", "the team chat", "the gym group"),
    "platform": ("Facebook", "Instagram", "TikTok", "Nextdoor", "X", "LinkedIn"),
    "boss": ("your manager", "HR at your job", "your supervisor", "your boss", "the owner of your firm"),
    "rel": ("your brother", "your ex", "your flatmate", "your cousin", "your colleague", "your partner"),
}
EN_SLOTS_J: dict[str, dict[str, Sequence[str]]] = {
    "US": {
        "amt": ("$1,284.17", "$642.00", "$3,910.55", "$218.40", "$7,025.00", "$455.90"),
        "date": ("December 14", "December 18", "January 2", "December 22", "January 9"),
        "product": ("a payday loan", "a cash advance on your Visa", "a title loan", "an overdraft", "a BNPL plan"),
        "asset": ("sell the truck", "pull from your 401(k)", "take a second mortgage", "pawn the TV and the ring"),
    },
    "UK": {
        "amt": ("£1,146.20", "£587.00", "£2,930.45", "£312.80", "£6,400.00", "£79.99"),
        "date": ("14 December", "19 December", "3 January", "23 December", "8 January"),
        "product": (
            "a payday loan",
            "a cash advance on your card",
            "a logbook loan",
            "your overdraft",
            "a guarantor loan",
        ),
        "asset": ("sell the car", "remortgage", "cash in your pension", "pawn your jewellery", "release equity"),
    },
}

# --- evasion tables (test4's own) ------------------------------------------------------------------------------
ZH_HOMO: dict[str, Sequence[str]] = {
    "通讯录": ("通讯彔", "痛讯录", "通xun录", "铜讯录"),
    "坐牢": ("zuo牢", "坐劳", "蹲号子", "坐老"),
    "拘留": ("拘刘", "ju留", "局留"),
    "法院": ("法圆", "珐院", "fa院"),
    "公安": ("工安", "公a", "攻按"),
    "警察": ("景察", "jing察", "井擦"),
    "曝光": ("瀑光", "bao光", "曝洸"),
    "借呗": ("借bei", "借唄", "jb"),
    "微粒贷": ("威粒贷", "v粒贷", "wld"),
    "废物": ("废w", "肺物", "fei物"),
    "垃圾": ("lj", "辣圾", "拉圾"),
    "老赖": ("老癞", "lao赖", "佬赖"),
    "不要脸": ("不要lian", "布要脸", "bu要脸"),
    "卖房": ("卖fang", "麦房"),
    "孩子": ("孩孓", "hai子", "孩仔"),
    "传票": ("传漂", "chuan票"),
    "人渣": ("人zha", "人喳"),
}
EN_HOMO: dict[str, Sequence[str]] = {
    "arrest": ("arr*st", "@rrest", "a-rrest"),
    "police": ("po-lice", "p0l1ce", "poleece"),
    "jail": ("j@il", "jai1", "gaol"),
    "warrant": ("w@rrant", "warr4nt"),
    "loser": ("l0zer", "loooser"),
    "idiot": ("1diot", "eejit", "idi0t"),
    "scumbag": ("scumb@g", "scum-bag"),
    "deadbeat": ("dead-beet", "d3adbeat"),
    "payday": ("pay-day", "p@yday"),
    "Facebook": ("Faceb00k", "F-book", "the Book"),
    "court": ("c0urt", "kourt"),
    "remortgage": ("re-m0rtgage", "remortg@ge"),
}
ZH_SEPS = ("\u200b", "\u2060", "\u00ad", " ", "丨", "~", "。", "-")
EN_SEPS = ("\u200b", "\u2060", "\u00ad", " ", ".", "_", "'")
EMOJI = ("🌚", "🫥", "🍵", "🌀", "🐸", "🧊", "🎈", "🪴")
LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "$", "t": "7"})


def _stretch(rng: random.Random, phrase: str, lang: str, op: Callable[[str], str]) -> str:
    """Apply a character-level evasion to one word of a key phrase (en) or a 2-4 character stretch (zh)."""
    if lang == "en":
        words = phrase.split(" ")
        i = max(range(len(words)), key=lambda k: len(words[k]))
        words[i] = op(words[i])
        return " ".join(words)
    if len(phrase) <= 4:
        return op(phrase)
    n = rng.randint(2, 4)
    start = rng.randint(0, len(phrase) - n)
    return phrase[:start] + op(phrase[start : start + n]) + phrase[start + n :]


def evade(rng: random.Random, phrase: str, lang: str) -> str:
    """One evasion on a key phrase, chosen at random from test4's operations."""
    if lang == "zh":
        kind = rng.choice(("sep", "sep", "emoji", "homo", "homo", "trad", "pinyin", "fw"))
        if kind == "homo":
            out = substitute(rng, phrase, ZH_HOMO)
            if out != phrase:
                return out
            kind = "pinyin"
        if kind == "trad":
            out = traditional(phrase)
            if out != phrase:
                return out
            kind = "sep"
        if kind == "pinyin":
            return pinyin_one(rng, phrase)
        if kind == "fw" and any(c.isascii() and c.isalnum() for c in phrase):
            return full_width(phrase)
        if kind == "emoji":
            e = rng.choice(EMOJI)
            return _stretch(rng, phrase, lang, lambda s: between(s, lambda: e))
        sep = rng.choice(ZH_SEPS)
        return _stretch(rng, phrase, lang, lambda s: between(s, lambda: sep))
    kind = rng.choice(("sep", "sep", "homo", "homo", "leet", "fw", "mask", "emoji", "caps"))
    if kind == "homo":
        out = substitute(rng, phrase, EN_HOMO)
        if out != phrase:
            return out
        kind = "leet"
    if kind == "leet":
        return _stretch(rng, phrase, lang, lambda s: s.translate(LEET))
    if kind == "fw":
        return _stretch(rng, phrase, lang, full_width)
    if kind == "mask":
        return _stretch(rng, phrase, lang, lambda s: s[0] + "*" * (len(s) - 2) + s[-1] if len(s) > 3 else s)
    if kind == "emoji":
        return phrase + " " + rng.choice(EMOJI)
    if kind == "caps":
        return _stretch(rng, phrase, lang, lambda s: " ".join(s.upper()))
    sep = rng.choice(EN_SEPS)
    return _stretch(rng, phrase, lang, lambda s: between(s, lambda: sep))


# --- templates: unlawful, zh ------------------------------------------------------------------------------------
ZH: dict[str, Sequence[T]] = {
    "threat_harm": (
        T("{name}，{kid}每天几点从{school}出来，我们比你还清楚。钱的事你自己掂量，«别让孩子替你操心»。"),
        T("听说{elder}一个人住？年纪大了«磕磕碰碰很正常»，你说是吧。{amt}今天处理掉。"),
        T("{car}停得挺显眼啊，«哪天轮胎少一个»别怪没提醒你。"),
        T("兄弟们已经在{place}等着了，«你今晚最好别出门»。", channel="app_push"),
        T("[语音转文字] 喂{name} 我跟你讲 «我们这边有的是人» 你躲得了初一躲不了十五 懂我意思吧"),
        T("欠{amt}不还还拉黑？行，«晚上走路小心点»，别说我们没打招呼。"),
        T("你家那个店的玻璃门挺新的，«砸了可惜»。还款截止{date}。", channel="letter"),
        T("提醒一下：外面的朋友脾气不太好，«他们上门可不会像我这么客气»。逾期{days}天了。"),
    ),
    "exposure": (
        T("{name}，再不还{amt}，«我们就把你的欠款截图发到{group}»，让大家评评理。"),
        T("已经给你做好了海报，«明天挂到{platform}上»，标题就叫“欠钱不还的{name}”。"),
        T("你不要面子我们帮你要：«今天下午给{boss}打电话说明你的情况»。"),
        T("通知：如仍不处理，«将向你通讯录全部联系人发送催告函»。", channel="app_push"),
        T("【温馨提示】逾期{days}天。«你的照片和身份证已准备发到{platform}»，请自重。"),
        T("要不要我把你欠钱的事«在{group}里说一说»？你自己选。"),
        T("{date}前不还，«我们会去你单位门口拉横幅»，到时候全公司都知道。", channel="letter"),
        T("你的亲戚朋友都还不知道你欠钱吧？«今晚就让他们全知道»。"),
    ),
    "false_authority": (
        T("【{city}公安局经侦支队】{name}，你涉嫌恶意透支，«已立案侦查»，请于{date}前到案说明。"),
        T("你的案子«已经移交法院»，传票这两天就寄到，到时候«直接拘留»。"),
        T("我们是金融监管总局专案组，«你的逾期已被认定为诈骗»，请立即还款销案。", channel="letter"),
        T("再拖下去«派出所会上门带人»，别以为是吓唬你。"),
        T("【人民法院执行局】«你已被列为失信被执行人»，名下银行卡将于24小时内冻结。", channel="app_push"),
        T("老实说吧，{amt}够«判三年»了，你想清楚。"),
        T("本函由征信中心监制：«你的征信已永久拉黑»，全家子女政审受影响。", channel="letter"),
        T("我同事是«派出所的»，你这种情况«随时可以抓»，别逼我们走这一步。"),
    ),
    "insult": (
        T("{name}你个«废物»，{amt}都还不上还有脸活着？"),
        T("借钱的时候装孙子，还钱的时候装死，«真是个不要脸的东西»。"),
        T("«老赖»就是«老赖»，你家里人知道你是«人渣»吗。"),
        T("[语音转文字] 你脑子是不是有问题啊 «你就是个垃圾» 听得懂人话吗"),
        T("看你朋友圈挺滋润啊，«寄生虫»一个。逾期{days}天了。"),
        T("你这种«臭不要脸的»我见多了，今天不还明天接着骂。"),
        T("请问您是«脑残»吗？第{days}次提醒了。", channel="app_push"),
        T("«狗都比你讲信用»，赶紧还钱。"),
    ),
    "new_borrowing": (
        T("{name}，你«去{app}借一笔»先把我们这边平了，额度肯定够。"),
        T("没钱？«{app}、{app}都能借»，五分钟到账，今天还进来就行。"),
        T("建议您«开通信用卡套现»处理本期欠款{amt}。", channel="app_push"),
        T("你«找你朋友借点»不就完了，{amt}又不多。"),
        T("我们合作的平台可以«帮你再下一笔款»，下款后直接还我们。"),
        T("«网上随便找个口子借一下»，先还上再说，别逾期了。"),
        T("手里没钱可以«先用{app}周转»，利息比你逾期罚息低。", channel="email"),
        T("你«找家里人借点»嘛，{elder}肯定有存款。"),
    ),
    "pressure": (
        T("最后两小时！«不还款今天就是最后机会»，过了这个点后果自负。"),
        T("都这样了还舍不得？«{asset}»不就还上了。"),
        T("倒计时：«30分钟内不到账，立即启动全部程序»。", channel="app_push"),
        T("{name}，«你那套房子抵押一下»什么钱还不上？"),
        T("实话说，«{asset}»是你现在唯一的出路，别等了。"),
        T("减免名额«只剩最后一个»，«一小时后作废»，要不要你自己定。"),
        T("«今晚十二点前»必须全额{amt}，«少一分都不行»。"),
        T("我劝你«把公积金提出来»还了，不然越滚越多。", channel="email"),
    ),
    "disguised": (
        T("【快递通知】您有一个包裹因地址不详无法派送，请«回电{cnprem}»核对信息。"),
        T("恭喜您在年终回馈中«获得抽奖资格»，请联系{name}专员领取，来电请备好身份证号。"),
        T("您好，这里是{city}社区满意度调查，«完成问卷可领话费»，请尽快回拨本号码。"),
        T("老同学，我是{name}啊，«有事找你帮个忙»，方便的话回个电话。"),
        T("【同城快递】您的到付件已到站，«请先联系派件员确认»，号码：{cnprem}。"),
        T("您的会员积分即将清零，«回拨即可兑换礼品»。"),
        T("您好，我们是某招聘平台，«您的简历已通过初筛»，请回电预约面试。"),
        T("您在我店消费的«退款已到账失败»，请回电{cnprem}处理。"),
    ),
    "third_party": (
        T("您好，{name}在我司«逾期{amt}未还»，麻烦您转告本人尽快处理。", role="emergency_contact"),
        T("您是{name}的紧急联系人，«{name}欠的钱您能不能先垫上»？", role="emergency_contact"),
        T("请问是{name}的家属吗？«{name}的贷款已经逾期{days}天了»。", role="emergency_contact", channel="letter"),
        T("麻烦«提醒一下{name}把欠款还了»，谢谢您。", role="third_party"),
        T("{name}是你们单位的员工吧，«借了我们的钱一直不还»。", role="third_party", channel="email"),
        T("«帮{name}还一部分也行»，都是一家人。", role="emergency_contact"),
        T("您好，«{name}的账单需要家属协助处理»，请您让{name}联系我们。", role="emergency_contact"),
        T("房东您好，«您的租客{name}在我们这有一笔欠款»，请转告。", role="third_party"),
    ),
}

# --- templates: unlawful, en ------------------------------------------------------------------------------------
EN: dict[str, Sequence[T]] = {
    "threat_harm": (
        T("{name}, we know what time {kid} gets off at {place}. «Be a shame if anything happened.»"),
        T("So {elder} still lives alone at that age. «Accidents happen to old people», just saying."),
        T("{car} is parked out front again. «Would hate for it to get damaged overnight.»"),
        T("my guys are already in your area «so id stay inside tonight if i were u»", channel="app_push"),
        T("[voice note] listen {name}, «people who dodge us tend to get hurt», ok? call me back", where="US"),
        T("You've ignored us for {days} days. «Next time it won't be a phone call, it'll be a visit you won't enjoy.»"),
        T("«Our associates aren't as patient as I am» and they have your address.", channel="letter"),
        T("Keep ignoring me and «see how safe that little shop of yours stays».", where="UK"),
    ),
    "exposure": (
        T("{name}, pay {amt} by {date} or «we post your photo and this debt on {platform}»."),
        T("Don't make us «tell {boss} that you don't pay your bills»."),
        T("Heads up: «we'll be messaging {group} about what you owe» unless we hear from you."),
        T("«Everyone in your contacts will get a copy of this notice» if it's still unpaid Friday.", channel="email"),
        T("«Your neighbours might like to know why we keep knocking.» Pay up.", where="UK"),
        T("We've drafted a post for {platform}. «One click and your whole network sees it.»", channel="app_push"),
        T("«Should we ask {rel} to share this with the family?» Your call, {name}."),
        T("Final reminder before «we contact your employer and your references about the debt».", channel="letter"),
    ),
    "false_authority": (
        T(
            "This is Officer Reyes with the county sheriff. «A warrant for your arrest is pending» over {amt}.",
            where="US",
        ),
        T("«You will be arrested» if payment isn't received by {date}.", where="US"),
        T(
            "NOTICE OF HIGH COURT ENFORCEMENT: «enforcement agents are authorised to attend and remove goods»",
            where="UK",
            channel="letter",
        ),
        T("We have passed your file to the «fraud squad at the police». They will be in touch.", where="UK"),
        T("«The FCA has ordered us to recover this debt by any means»; ignore at your peril.", where="UK"),
        T("Failure to pay is a «criminal offence and you could go to jail».", where="US", channel="email"),
        T(
            "CLAIM FORM – «County Court Business Centre» – pay {amt} within 7 days to avoid judgment.",
            where="UK",
            channel="letter",
        ),
        T("We're working with the «district attorney's office» on your file. Call now.", where="US"),
    ),
    "insult": (
        T("{name}, «you absolute loser», pay what you owe."),
        T("«Only a deadbeat» ignores {days} days of reminders."),
        T("«What a pathetic excuse for an adult.» The balance is {amt}."),
        T("«u r a waste of space» n everyone knows it"),
        T("Honestly «you're a scumbag», no other word for it.", channel="email"),
        T("Pay up «you lying parasite».", channel="app_push"),
        T("«Are you an idiot or just a thief?» Pay the {amt}."),
        T("Not surprised «a lowlife like you» can't hold on to money."),
    ),
    "new_borrowing": (
        T("Easy fix, {name}: «take out {product}» and clear this today."),
        T("«Borrow it from {rel}», it's only {amt}."),
        T("Why not «use your credit card to cover this»? Done in 2 minutes.", channel="email"),
        T("We can «refer you to a partner lender for a new loan» to pay off this balance.", channel="app_push"),
        T("«Get {product}» tonight and pay us first thing tomorrow."),
        T("Plenty of apps «will lend you the money in minutes». Use one and settle up."),
        T("Have you thought about «asking {elder} for a loan»? Sort it out today."),
        T("«Max out another card» if you have to, just get us paid."),
    ),
    "pressure": (
        T("You have «2 hours» left. «After that the offer is gone forever.»"),
        T("Honestly, «{asset}» and this goes away today."),
        T("«Pay within the next 60 minutes» or everything escalates.", channel="app_push"),
        T("«Last chance, no more extensions, no more calls»: {amt} by 5pm today."),
        T("People in your position «sell the car» and move on. Why haven't you?"),
        T("«Only one settlement slot left today.» Don't be the one who misses it.", channel="email"),
        T("«You must pay in full tonight», no plans, no partials."),
        T("Sitting on a house and can't pay {amt}? «Remortgage it» and stop wasting our time.", where="UK"),
    ),
    "disguised": (
        T("Royal Parcels: we tried to deliver your package. «Call {prem} to rearrange delivery.»", where="UK"),
        T("Congratulations {name}! «You've been selected for a £250 voucher.» Call {prem} to claim.", where="UK"),
        T("Quick customer survey, «£20 reward for 3 minutes», ring {prem} today.", where="UK"),
        T("Hi it's {name} from school!! «long time, call me back» on {prem} x", where="UK"),
        T("Your delivery is on hold. «Please call 1-900-555-0127 to confirm your address.»", where="US"),
        T("You're a WINNER! «Claim your gift card» — call {prem} before midnight.", where="US"),
        T("We have a refund waiting for you. «Call {prem} to release it.»", where="US"),
        T("Hey {name}, «returning your call about the apartment», ring me at {prem}", where="US"),
    ),
    "third_party": (
        T(
            "Hi, is this {name}'s mum? «{name} owes us {amt} and we need you to pass that on.»",
            role="emergency_contact",
        ),
        T("«Could you pay the balance on {name}'s behalf?» It would really help.", role="emergency_contact"),
        T("We are contacting you regarding «{name}'s overdue loan account».", role="third_party", channel="letter"),
        T("«Please tell {name} to pay what they owe us.» Thanks.", role="emergency_contact"),
        T("As {name}'s employer, «can you deduct the debt from her wages»?", role="third_party", channel="email"),
        T("«Let {name} know their account is in arrears» and to call us.", role="emergency_contact"),
        T("Hi, «{name} listed you as a contact on a loan that's now behind».", role="emergency_contact"),
        T("«Would you be willing to cover part of what your son owes?»", role="emergency_contact", where="UK"),
    ),
}

ZH_SLOTS["city"] = ("杭州市", "南昌市", "佛山市", "合肥市", "洛阳市")
ZH_SLOTS["cnprem"] = ("17095312648", "0755-2231-9087", "16532018877", "17155260419")

# --- lawful bodies (framed with sender, channel, objection route / opt-out below) ---------------------------------
ZH_LAWFUL: Sequence[T] = (
    T("尊敬的{name}，您的借款已逾期{days}天，应还{amt}。如有困难可在App内申请延期或分期。"),
    T("{name}您好，您本期账单{amt}将于{date}到期，请按时还款。", purpose="reminder"),
    T("您好，我们不会联系您的通讯录、家人或单位，也不会在任何群里提及您的欠款。请放心与我们沟通还款方案。"),
    T("郑重提示：我们从不以公安、法院或监管部门名义催收。如有人自称警察要求转账，请拨打110核实。"),
    T("请勿以贷养贷，不要为还本账单去借呗、微粒贷或其他平台借款。可在App申请降低月供。"),
    T("您已逾期{days}天。如协商不成，我司可能依法向法院提起诉讼，您有权答辩并提出证据。"),
    T("您{date}还款{amt}已入账，感谢。剩余应还金额请在App查看。", purpose="service"),
    T("您申请的分期方案已生效：分12期，每期{amt}，不收取额外催收费用。"),
    T("根据规定，如逾期持续，我们将在报送前至少提前7日通知您后向征信系统报送逾期信息。"),
    T("您好，请{name}方便时回电给我们，谢谢。", role="emergency_contact", purpose="location"),
    T(
        "您好，我们有事想与{name}联系，麻烦您请{name}回电，此事与您无关，无需您做任何事。",
        role="emergency_contact",
        purpose="location",
    ),
    T("您的新卡已寄出，请注意查收，收到后在App内激活。", purpose="service"),
    T("您的登录验证码为482913，五分钟内有效，切勿告诉任何人。", purpose="service"),
    T("诚邀您参与App服务满意度调查，约2分钟，无奖品，不参与不影响任何服务。", purpose="service"),
    T("您在投诉中说“担心会被抓去坐牢”。我们明确答复：逾期是民事纠纷，我们不会、也无权以拘留相威胁。"),
    T("我们不会要求您卖房、卖车或退保来还款，可先申请临时减免月供。"),
    T("若您认为账单有误，可在App内提出异议，核实期间我们暂停催收。"),
    T("您可以向金融监管部门或消费者协会投诉我们的服务，我们会配合处理。"),
    T("提醒：我们不会通过快递、中奖或问卷的名义与您联系，也不会使用高额付费电话。", purpose="service"),
    T("{name}您好，您已结清全部欠款，结清证明可在App下载。", purpose="service"),
    T("如您正在经历失业或疾病，可申请困难帮扶，最长暂停还款3个月，不影响协商结果。"),
    T("{name}您好，今天是本期还款日，如已还款请忽略。", purpose="reminder", channel="app_push"),
    T("如您收到自称“法院”“公安”要求还款的短信，请勿理会，我们只通过本号码和App联系您。", purpose="service"),
    T("您有权要求我们停止电话联系、只通过短信或App沟通，回复“仅短信”即可。"),
    T("我司催收人员均使用实名和工号，您可在App内查询工号真伪。"),
    T("您的延期申请已通过，新的还款日为{date}，期间不收取罚息。"),
    T("{name}您好，您的借款已逾期{days}天，应还{amt}。我们不会上门，也不会联系您的单位和亲友。"),
    T("如您对我们的催收方式不满意，可拨打12378银行保险消费者投诉维权热线反映。"),
)
EN_LAWFUL: Sequence[T] = (
    T("Hi {name}, your payment of {amt} was due on {date}. If you're struggling, we can talk about a plan."),
    T("Reminder: {amt} is due on {date}.", purpose="reminder"),
    T("We will never contact your family, friends or employer about your account, or post about it online."),
    T(
        "We never call or write in the name of the police or a court. If someone says they are police and asks for "
        "payment, hang up and call us."
    ),
    T("Please don't take out a payday loan or borrow from another lender to pay us. Ask us about a lower payment."),
    T(
        "Your account is {days} days past due. If it isn't resolved we may file a lawsuit; you would have the right to "
        "respond and dispute the claim in court.",
        where="US",
        channel="letter",
    ),
    T(
        "This is a communication from a debt collector. We are trying to collect a debt and any information obtained "
        "will be used for that purpose.",
        where="US",
        channel="letter",
    ),
    T("Thanks, we received your payment of {amt} on {date}.", purpose="service"),
    T("Your payment plan is confirmed: {amt} a month from {date}. No extra fees are added.", where="UK"),
    T(
        "We're required to tell you that if the arrears continue we may report the missed payments to credit "
        "reference agencies. You can ask us for help at any time.",
        where="UK",
        channel="letter",
    ),
    T("Please ask {name} to call us back when convenient. Thank you.", role="emergency_contact", purpose="location"),
    T(
        "We're trying to reach {name}. Could you ask them to give us a call? There's nothing you need to do.",
        role="emergency_contact",
        purpose="location",
    ),
    T("Your new card is on its way and should arrive in 3-5 working days. Activate it in the app.", purpose="service"),
    T("Your one-time code is 551904. We will never ask you for this code.", purpose="service"),
    T("Tell us how we did: a 2-minute survey in the app. No prizes, no obligation.", purpose="service"),
    T(
        "You told us you were afraid of going to jail over this. You won't: we will never threaten arrest, and "
        "missing payments is not a crime.",
        where="US",
        channel="email",
    ),
    T("We won't ask you to sell your home, remortgage or use your pension to pay us.", where="UK"),
    T(
        "If you think the balance is wrong, you can dispute it in the app; we pause collection while we check.",
        where="US",
    ),
    T(
        "If you're unhappy with how we've handled your account you can complain to us, and then to the Financial "
        "Ombudsman Service.",
        where="UK",
        channel="letter",
    ),
    T(
        "We never use parcel, prize or survey messages to contact you, and never premium-rate numbers.",
        purpose="service",
    ),
    T(
        "If you're in Breathing Space or dealing with a debt adviser, let us know and we'll hold all action.",
        where="UK",
    ),
    T("Good news {name}: your account is now paid in full. Your closing letter is in the app.", purpose="service"),
    T("You can ask us to stop calling and contact you only by letter or email. Just tell us which you prefer."),
    T(
        "If a court claim is ever issued, the papers come from the court itself and you'll have time to respond. "
        "Nothing has been issued.",
        where="UK",
    ),
    T("Our agents always give their full name and employee ID. You can check an ID in the app."),
    T("Your request for a 30-day pause is approved. No payment is due until {date}.", purpose="service"),
    T("We'll never post about your account on social media or message your contacts about it."),
    T("Text STOP to this number to stop texts; we'll still mail any letters the law requires.", where="US"),
)


def _frame_zh(rng: random.Random, body: str, t: T, complete: bool) -> str:
    head = rng.choice(("【{lender}】", "【{lender}】", "{lender}提醒您："))
    if not complete:
        return head + body + rng.choice(("", "", "——{lender}贷后部"))
    if body[-1] not in "。！？…」”)":
        body += "。"
    tail = rng.choice(("客服热线{phone}。", "详询{lender}App或致电{phone}。", "可在{lender}App在线咨询，电话{phone}。"))
    if t.purpose == "collection":
        tail += rng.choice(("如有异议请致电{phone}。", "如有异议请致电{phone}，我们将在3个工作日内答复。"))
    return head + body + tail


def _frame_en(rng: random.Random, body: str, t: T, j: str, complete: bool) -> str:
    head = rng.choice(("{lender}: ", "From {lender} - ", "{lender} here. "))
    if not complete:
        return head + body
    if body[-1] not in ".!?\"')":
        body += "."
    tail = rng.choice((" Call us on {phone}.", " Questions? {phone} or the {lender} app.", " Our team: {phone}."))
    if j == "US" and t.channel in ("sms", "email") and t.purpose == "collection":
        tail += rng.choice((" Reply STOP to opt out of texts.", " Reply STOP to stop these messages."))
    return head + body + tail


def _one(rng: random.Random, label: str, lang: str, t: T) -> Draft:
    neutral = t.purpose == "location"  # a location message names no lender that reveals a debt
    if lang == "zh":
        j = "CN"
        slots: dict[str, Sequence[str]] = dict(ZH_SLOTS)
        lenders: Sequence[str] = ZH_NEUTRAL if neutral else ZH_LENDERS
        phones: Sequence[str] = ZH_PHONES
    else:
        j = t.where if t.where != "*" else rng.choice(("US", "UK"))
        slots = {**EN_SLOTS_COMMON, **EN_SLOTS_J[j], "prem": PREMIUM[j]}
        lenders = EN_NEUTRAL[j] if neutral else EN_LENDERS[j]
        if t.purpose != "collection":  # a collection agency sends no card, code or survey
            lenders = [x for x in lenders if not x.endswith(AGENCY_WORDS)]
        phones = EN_PHONES[j]
    # one person, one sender, one number throughout a message: each slot gets one filler (apps may differ)
    fixed: dict[str, Sequence[str]] = {k: (v if k == "app" else [rng.choice(v)]) for k, v in slots.items()}
    body = fill(rng, t.body, fixed)
    if label != "lawful" and rng.random() < EVADE_SHARE:
        body = apply_keys(body, lambda p: evade(rng, p, lang))
    else:
        body = strip_keys(body)
    sender = {"lender": [rng.choice(lenders)], "phone": [rng.choice(phones)]}
    if label == "lawful":
        text = _frame_zh(rng, body, t, True) if lang == "zh" else _frame_en(rng, body, t, j, True)
    elif label != "disguised" and not body.startswith("【") and rng.random() < FRAME_SHARE:
        complete = rng.random() < FRAME_COMPLETE_SHARE
        text = _frame_zh(rng, body, t, complete) if lang == "zh" else _frame_en(rng, body, t, j, complete)
    else:
        text = body
    text = fill(rng, text, sender)
    if label == "lawful" and lang == "zh" and rng.random() < TRADITIONAL_LAWFUL_SHARE:
        text = traditional(text)
    return Draft(
        text=tidy(text),
        lang=lang,
        label=label,
        role=t.role,
        jurisdiction=j,
        channel=t.channel,
        purpose=t.purpose,
        origin=f"template:test4.{label}.{lang}{list(_pool(label, lang)).index(t) + 1:02d}",
    )


def _pool(label: str, lang: str) -> Sequence[T]:
    if label == "lawful":
        return ZH_LAWFUL if lang == "zh" else EN_LAWFUL
    return (ZH if lang == "zh" else EN)[label]


def generate() -> list[Draft]:
    """test4's generated messages, deterministic for SEED."""
    rng = random.Random(SEED)  # nosec B311
    templates = {label: {"zh": _pool(label, "zh"), "en": _pool(label, "en")} for label in (*ZH, "lawful")}
    return cycle_templates(
        rng,
        templates,
        _one,
        unlawful_per_intent_lang=UNLAWFUL_PER_INTENT_LANG,
        lawful_per_lang=LAWFUL_PER_LANG,
        attempts_per_message_max=ATTEMPTS_MAX,
    )
