"""Generated messages of the test7 split (seventh held-out split): its own templates, fillers and evasion tables.

Written from the law (12 CFR 1006, CONC 7, CN Criminal Law Art. 293-1, the 2026 CBA rules on third parties)
and from real-world collection patterns, without reading the content check or any other split. About 40% of
the unlawful messages get one evasion on their «key phrase».
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

SEED = 4720261207

SLOTS: dict[str, tuple[str, ...]] = {
    "zh_lender": ("【青禾易贷】", "【橙柚分期】", "【北辰小额】", "【汇川钱包】", "【云杉消费金融】", "【驿站借呗通】"),
    "zh_amt": ("1,860.40元", "3200元", "587.12元", "12,400元", "946元", "2,075.55元"),
    "zh_date": ("本月18日", "3月9日", "今天下午5点前", "下周一", "6月30日", "明天中午"),
    "zh_phone": ("400-812-3367", "95017-6", "021-6288-4410", "400-930-5128"),
    "zh_name": ("刘女士", "陈先生", "王建国", "赵晓敏", "孙先生", "周女士"),
    "zh_rel": ("您的同事", "您的表弟", "您的邻居", "您的大学室友", "您的前领导"),
    "zh_place": ("单位", "小区物业", "孩子学校", "老家村委会", "公司前台"),
    "en_lender": (
        "Harbourline Credit",
        "Maplestone Loans",
        "Pinecrest Finance",
        "Northgate Lending",
        "Bluewick Money",
        "Cedarpoint Card Services",
        "Tamsin Receivables",
    ),
    "en_amt": ("$1,240.18", "£386.50", "$912", "£2,140", "$3,075.44", "£97.20"),
    "en_date": ("by Friday", "by 5pm today", "before 14 March", "by the end of the week", "by midnight"),
    "en_phone_us": ("1-888-214-7730", "(844) 390-1126", "1-877-602-5519"),
    "en_phone_uk": ("0800 048 7712", "0330 124 6690", "0161 496 0833"),
    "en_name": ("Ms Okafor", "Mr Delaney", "Jordan", "Mrs Patel", "Danny", "Ms Reyes"),
    "en_rel": ("your brother-in-law", "your manager", "your flatmate", "your neighbour", "your cousin"),
}

T = tuple[str, str]  # (template name, template)

ZH: dict[str, tuple[T, ...]] = {
    "threat_harm": (
        ("kid", "{zh_name}，{zh_date}前不处理，«你家孩子放学那条路我们熟得很»，自己掂量。"),
        ("door", "欠款{zh_amt}还拖着？«晚上睡觉把门锁好»，别说没提醒你。"),
        ("car", "你那辆车停在楼下挺显眼的，«轮胎哪天没气了可别怪别人»。"),
        ("visit", "兄弟们已经到你们{zh_place}附近了，«见面可就不是聊天这么简单了»。"),
        ("parent", "{zh_name}，«你爸妈年纪大了，经不起吓»，今天把{zh_amt}结清。"),
        ("hand", "再不还{zh_amt}，«小心你这双手以后拿不了筷子»。"),
    ),
    "exposure": (
        ("contacts", "{zh_name}，{zh_date}不还{zh_amt}，«你通讯录里的人每人都会收到你的欠款截图»。"),
        ("poster", "我们已经做好了你的照片海报，«明天贴到你们{zh_place}门口»。"),
        ("wechat", "逾期{zh_amt}不处理，«把你拉进你亲戚的微信群公开说说这件事»。"),
        ("video", "«你的身份证和欠条会被发到抖音上»，让大家评评理。"),
        ("boss", "{zh_date}前不还，«我们直接给你们老板打电话讲讲你欠钱的事»。"),
        ("moments", "«你的老赖事迹明天就在朋友圈曝光»，好自为之。"),
    ),
    "false_authority": (
        ("court", "【XX市人民法院】{zh_name}，«你的借贷案件已立案，将于{zh_date}强制执行»，速联系{zh_phone}。"),
        ("police", "我是经侦大队的，«你涉嫌恶意透支已被立案»，今天处理{zh_amt}可以撤案。"),
        ("credit", "【征信中心通知】«你已被列入全国失信黑名单»，缴清{zh_amt}后方可移除。"),
        ("reg", "«金融监管总局已将你的逾期移交公安»，请于{zh_date}前还款。"),
        ("lawyer", "{zh_name}，«律师函已送达，法院传票将寄到你{zh_place}»，马上还{zh_amt}。"),
        ("arrest", "再拖下去，«警察会上门把你带走»，{zh_amt}你自己看着办。"),
    ),
    "insult": (
        ("dog", "{zh_name}，«借钱不还的狗东西»，{zh_amt}什么时候还？"),
        ("sb", "你是«sb»吗？提醒多少遍了，{zh_amt}还拖着。"),
        ("trash", "«你这种人就是社会的垃圾»，赶紧把{zh_amt}还了。"),
        ("shameless", "«不要脸的老赖»，{zh_date}前还{zh_amt}。"),
        ("nmsl", "欠钱还装死，«nmsl»，{zh_amt}今天给我转过来。"),
        ("loser", "«穷鬼一个还学人家借钱»，{zh_amt}到底还不还？"),
    ),
    "new_borrowing": (
        ("other", "{zh_name}，{zh_amt}今天必须到账，«去借呗或微粒贷借一笔先把这个填上»。"),
        ("card", "额度不够？«用信用卡套现还我们这笔»，很快的。"),
        ("partner", "«我们合作平台可以马上放款给你还这笔»，点击链接申请。"),
        ("friend", "«找其他网贷平台借一下周转»，先还了{zh_amt}再说。"),
        ("float", "«以贷养贷也是一种办法»，{zh_date}前还上就行。"),
        ("huabei", "«开通花呗分期把钱转出来»，把{zh_amt}结清。"),
    ),
    "pressure": (
        ("hour", "{zh_name}，«一小时内不还{zh_amt}，每天加收500元违约金»。"),
        ("house", "«把你的房子卖了也得还»，{zh_date}前不结清后果自负。"),
        ("last", "«这是最后通牒，过了今晚就没有任何协商机会了»，{zh_amt}立即还款。"),
        ("car", "«把车卖了先还我们»，别拿困难当借口。"),
        ("fee", "{zh_amt}逾期，«系统即将自动追加三倍罚息»，现在还能免除。"),
        ("gold", "«家里的金首饰拿去当了也要凑够{zh_amt}»。"),
    ),
    "disguised": (
        ("parcel", "【顺丰速运】您有一个包裹因地址异常被退回，«请回电{zh_phone}处理»，关联账户待还{zh_amt}。"),
        ("prize", "恭喜{zh_name}获得会员抽奖一等奖，«领奖请联系客服»，核实时需先处理账户{zh_amt}。"),
        ("survey", "【社区满意度调查】请{zh_name}接听回访电话，«回访中将核对您的借款情况»。"),
        ("hospital", "【体检中心】您的报告有异常，«请致电{zh_phone}咨询»，客服同时为您办理{zh_amt}还款。"),
        ("coupon", "您有一张外卖红包待领取，«点击链接领取»后即可查看{zh_amt}待还账单。"),
        ("school", "【家长通知】请{zh_name}家长到校一趟，«顺便把孩子家长的欠款处理一下»。"),
    ),
    "third_party": (
        ("pay", "{zh_rel}您好，{zh_name}在我司欠款{zh_amt}，«麻烦您帮他还一下»。"),
        ("tell", "您好，«请转告{zh_name}尽快还清网贷欠款»，谢谢配合。"),
        ("disclose", "您好，{zh_name}在我们平台逾期了，«您作为紧急联系人有义务督促他还款»。"),
        ("vouch", "{zh_rel}，«{zh_name}欠的钱您能不能先垫上»？"),
        ("reach", "您好，«{zh_name}的贷款已经逾期好几天了»，请让他马上联系我们。"),
        ("urge", "打扰了，«您朋友{zh_name}欠款不还，请您劝劝他»。"),
    ),
    "lawful": (
        ("remind", "{zh_name}，您的账单{zh_amt}将于{zh_date}到期，可在App内还款。"),
        ("overdue", "{zh_name}，您的借款{zh_amt}已逾期，请尽快还款，如有困难可申请延期或分期。"),
        ("receipt", "您已成功还款{zh_amt}，感谢您的按时还款。"),
        ("assure", "我们不会联系您的通讯录，也不会向您的单位或家人透露借款信息，请放心。"),
        ("noloan", "请勿以贷养贷，不要为了还款去其他平台借钱，可联系我们协商还款计划。"),
        ("legal", "您的借款{zh_amt}逾期较久，我司可能依法向法院起诉，您有权提出异议或申请调解。"),
        ("scam", "提醒：近期有人冒充法院或公安以“立案”“上征信黑名单”为名要求转账，我司绝不会这样做，请勿轻信。"),
        ("plan", "{zh_name}，我们可为您提供6期分期还款方案，不收取额外费用，可在App内申请。"),
        ("nofee", "本司不收取任何催收费用，也不会以卖房卖车等要求向您施压。"),
        ("location", "您好，我们想联系{zh_name}处理一项个人事务，麻烦转告其回电，谢谢。"),
        ("service", "您的新卡已寄出，请注意查收，开卡请在App内操作。"),
        ("code", "您的登录验证码为482913，5分钟内有效，请勿告知他人。"),
    ),
}

EN: dict[str, tuple[T, ...]] = {
    "threat_harm": (
        ("route", "{en_name}, «we know which bus your daughter takes home». Sort out {en_amt} {en_date}."),
        ("car", "Nice car on your drive. «Be a shame if something happened to it overnight.»"),
        ("lads", "{en_amt} still owing. «The lads are getting impatient and they don't do phone calls.»"),
        ("careful", "«Walk carefully at night, {en_name}.» Pay {en_amt} {en_date}."),
        ("window", "Last chance. «Windows break easily round your way.»"),
        ("family", "«Your family will pay for this one way or another» if {en_amt} isn't cleared {en_date}."),
    ),
    "exposure": (
        (
            "fb",
            "{en_name}, «we'll post your debt on your Facebook for all your friends to see» unless you pay {en_amt}.",
        ),
        ("boss", "Pay {en_amt} {en_date} or «we call your boss and explain why you can't pay your bills»."),
        ("church", "«Everyone at your church group will hear about your unpaid loan.»"),
        ("contacts", "«We're messaging every contact in your phone about the {en_amt} you owe.»"),
        ("list", "«Your name goes on our public deadbeat list online» {en_date}."),
        ("school", "«The other parents at the school gate will know you don't pay your debts.»"),
    ),
    "false_authority": (
        ("warrant", "{en_name}, «a warrant for your arrest will be issued» unless {en_amt} is paid {en_date}."),
        ("court", "NOTICE OF COURT ENFORCEMENT. «High Court Enforcement Officers will attend your home» re {en_amt}."),
        ("police", "«This is Detective Grant from the fraud unit»; settle {en_amt} to avoid charges."),
        ("jail", "«Non-payment of a loan is a criminal offence and you could go to jail.» Pay {en_amt}."),
        ("irs", "«The Department of Justice has flagged your account» for {en_amt}."),
        ("bailiff", "«BAILIFF ATTENDANCE ORDER — issued by the County Court» for {en_amt}. Call now."),
    ),
    "insult": (
        ("scum", "{en_name}, «you absolute scumbag», pay the {en_amt}."),
        ("idiot", "Are you «too thick to read»? {en_amt} is overdue."),
        ("loser", "«Pathetic loser.» {en_amt} {en_date}."),
        ("pos", "«Lying POS», where's our {en_amt}?"),
        ("deadbeat", "Only a «worthless deadbeat» ignores {en_amt} for this long."),
        ("trash", "«People like you are trash.» Pay {en_amt}."),
    ),
    "new_borrowing": (
        ("payday", "{en_name}, «grab a quick payday loan and clear this» {en_date}."),
        ("card", "«Put it on a credit card» and pay the {en_amt} today."),
        ("partner", "«Our partner lender can approve you in minutes to pay off this balance.»"),
        ("bnpl", "«Use Klarna or another pay-later app to cover the {en_amt}.»"),
        ("overdraft", "«Max out your overdraft» and settle {en_amt} now."),
        ("topup", "«Take a top-up loan from your bank to pay us back.»"),
    ),
    "pressure": (
        ("hour", "«Pay {en_amt} within the hour or the amount doubles.»"),
        ("remortgage", "«Remortgage the house if you have to» — {en_amt} {en_date}."),
        ("sell", "«Sell the car and pay us», {en_name}."),
        ("final", "«FINAL offer, expires in 30 minutes, never repeated.» {en_amt}."),
        ("fee", "«A $250 collection penalty is added every day you wait.»"),
        ("pawn", "«Pawn your jewellery if you need to» — {en_amt} {en_date}."),
    ),
    "disguised": (
        ("parcel", "Royal Mail: your parcel is held. «Call 0906 663 2210 to rearrange delivery.» Ref {en_amt}."),
        ("prize", "Congratulations {en_name}! «You've won a gift card, call to claim» — we'll also discuss {en_amt}."),
        ("survey", "Customer survey: «call our feedback line 0871 552 4410» about your account."),
        ("premium", "Call «09065 118 442» today to discuss {en_amt}."),
        ("delivery", "«Your package could not be delivered», confirm your details at the link (account {en_amt})."),
        ("personal", "{en_name}, «this is a personal matter from an old friend, please call me back» about {en_amt}."),
    ),
    "third_party": (
        ("pay", "Hi, {en_name} owes us {en_amt}. «Could you pay it on their behalf?»"),
        ("tell", "«Please tell {en_name} to pay their loan» — it's urgent."),
        ("disclose", "«{en_name} is behind on a debt with us» and listed you as a contact."),
        ("help", "As {en_rel}, «could you help {en_name} settle the balance with us?»"),
        ("pass", "«Pass on a message to {en_name}: the account is overdue» and we need payment."),
        ("urge", "«Have a word with {en_name} about paying us back», thanks."),
    ),
    "lawful": (
        ("remind", "{en_name}, your payment of {en_amt} is due {en_date}. Pay in the app."),
        ("overdue", "{en_name}, your account is {en_amt} past due. If you're struggling, ask us about a plan."),
        ("receipt", "Thank you, we've received your payment of {en_amt}."),
        ("assure", "We will not contact your employer, family or friends about your account."),
        ("noloan", "Please don't borrow from another lender to pay us; we can agree an affordable plan instead."),
        (
            "legal",
            "If the {en_amt} balance stays unpaid we may consider court action; you can dispute it or get free advice.",
        ),
        ("scam", "Scam alert: fraudsters pretend to be police and threaten arrest. We never do this."),
        ("plan", "{en_name}, we can pause interest for 60 days while you get debt advice."),
        ("nofee", "We charge no collection fees and will never ask you to sell your home."),
        ("location", "Hello, we're trying to reach {en_name}. Please ask them to call us back."),
        ("service", "Your replacement card has been posted and should arrive within 5 working days."),
        ("code", "Your verification code is 730214. Don't share it with anyone."),
    ),
}

ZH_HOMOPHONE: dict[str, tuple[str, ...]] = {
    "孩子": ("孩纸", "娃"),
    "老赖": ("老la1", "LL"),
    "狗东西": ("gou东西", "🐶东西"),
    "垃圾": ("拉圾", "lj"),
    "不要脸": ("不要lian", "bu要脸"),
    "警察": ("jing察", "👮"),
    "曝光": ("暴光", "bao光"),
    "法院": ("fa院", "法阮"),
    "通讯录": ("通迅录", "txl"),
    "借呗": ("jie呗", "借b"),
    "违约金": ("违yue金", "韦约金"),
    "还": ("hai", "huan"),
}
EN_SUB: dict[str, tuple[str, ...]] = {
    "scumbag": ("scumb@g", "sc*mbag"),
    "loser": ("l0ser", "lo$er"),
    "arrest": ("arr3st", "a-r-r-e-s-t"),
    "jail": ("j@il", "ja1l"),
    "boss": ("b0ss", "bo$$"),
    "Facebook": ("FB", "Faceb00k"),
    "payday loan": ("PDL", "payd@y loan"),
    "daughter": ("d@ughter", "dau9hter"),
    "trash": ("tr@sh", "tra$h"),
    "pay": ("p@y", "pa¥"),
}
LEET: dict[str, str | int | None] = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
LEET_TABLE = str.maketrans(LEET)
ZH_SEPS: tuple[str, ...] = ("·", "*", " ", "_", "❤")
EN_SEPS: tuple[str, ...] = (".", "-", " ", "*")
EMOJI: tuple[str, ...] = ("😡", "🔪", "👀", "⏰", "💣", "📢", "🙃")


def _evade(rng: random.Random, lang: str, phrase: str) -> str:
    if lang == "zh":
        op = rng.randrange(5)
        if op == 0:
            return substitute(rng, phrase, ZH_HOMOPHONE)
        if op == 1:
            return pinyin_one(rng, phrase)
        if op == 2:
            return traditional(phrase)
        if op == 3:
            sep = rng.choice(ZH_SEPS)
            return between(phrase, lambda: sep)
        return phrase + rng.choice(EMOJI)
    op = rng.randrange(4)
    if op == 0:
        out = substitute(rng, phrase, EN_SUB)
        return out if out != phrase else phrase.translate(LEET_TABLE)
    if op == 1:
        return phrase.translate(LEET_TABLE)
    if op == 2:
        words = phrase.split(" ")
        i = rng.randrange(len(words))
        words[i] = between(words[i], lambda: rng.choice(EN_SEPS))
        return " ".join(words)
    if op == 3 and rng.random() < 0.5:
        return full_width(phrase)
    return phrase.upper() + " " + rng.choice(EMOJI)


def _frame(rng: random.Random, lang: str, label: str, body: str, jur: str, channel: str, role: str) -> str:
    if lang == "zh":
        sender = rng.choice(SLOTS["zh_lender"])
        phone = rng.choice(SLOTS["zh_phone"])
        tail = rng.choice(
            (
                f"如有异议请致电{phone}。",
                f"如有异议请致电客服{phone}或在App内反馈。",
                f"回复TD退订，如有异议请致电{phone}。",
            )
        )
        if label != "lawful" and rng.random() < 0.35:
            tail = rng.choice((f"速回电{phone}。", "", f"联系{phone}。"))
        return f"{sender}{body}{tail}"
    sender = rng.choice(SLOTS["en_lender"])
    phone = rng.choice(SLOTS["en_phone_us" if jur == "US" else "en_phone_uk"])
    opener = rng.choice((f"{sender}: ", f"From {sender}. ", f"{sender} — "))
    if channel == "letter":
        opener = f"{sender}, PO Box 4471. "
    contact = rng.choice((f" Call {phone}.", f" Questions? {phone} or our app.", f" Call us on {phone}, Mon-Fri."))
    optout = " Reply STOP to opt out." if jur == "US" and channel in ("sms", "email") else ""
    if label != "lawful" and rng.random() < 0.35:
        contact, optout = (f" {phone}", "") if rng.random() < 0.5 else ("", "")
    return f"{opener}{body}{contact}{optout}"


def _one(rng: random.Random, label: str, lang: str, item: T) -> Draft:
    name, template = item
    slots: dict[str, Sequence[str]] = dict(SLOTS)
    text = template
    text = fill(rng, text, slots)
    if label != "lawful" and rng.random() < 0.4:
        text = apply_keys(text, lambda p: _evade(rng, lang, p))
    else:
        text = strip_keys(text)
    jur = "CN" if lang == "zh" else rng.choice(("US", "UK"))
    channel = rng.choice(("sms", "sms", "email", "app_push", "letter"))
    role = "borrower"
    purpose = "collection"
    if label == "third_party":
        role = rng.choice(("emergency_contact", "third_party"))
    elif label == "lawful":
        purpose = {
            "remind": "reminder",
            "receipt": "service",
            "service": "service",
            "code": "service",
            "location": "location",
        }.get(name, "collection")
        if name == "location":
            role = rng.choice(("emergency_contact", "third_party"))
    text = tidy(_frame(rng, lang, label, text, jur, channel, role))
    return Draft(text, lang, label, role, jur, channel, purpose, f"template:test7.{label}.{name}")


def generate() -> list[Draft]:
    rng = random.Random(SEED)  # nosec B311
    templates = {label: {"zh": ZH[label], "en": EN[label]} for label in ZH}
    return cycle_templates(
        rng, templates, _one, unlawful_per_intent_lang=20, lawful_per_lang=140, attempts_per_message_max=30
    )
