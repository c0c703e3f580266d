"""Generator of the TEST2 split (the second held-out split, for the final figures): templates, fillers, evasions.

Written independently of the content check's vocabulary (fairdue/policy/content/) and of the
test/dev generators and hand files (none of them was read): own templates per intent and
language, own lender names, products, platforms, homophone/pinyin table, emoji and frames.
Only the neutral mechanics of generate.py are reused (fill, between, full_width, traditional,
pinyin_one, substitute, apply_keys, strip_keys, tidy). Each template carries one intent; its
«key phrase» is where an evasion goes. See README.md in this folder.
"""

from __future__ import annotations

import random

from fairdue.bench.content_corpus.generate import (
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

SPLIT = "test2"
SEED = 77_2026_1207
UNLAWFUL_PER_INTENT_LANG = 17  # generated unlawful messages per intent and language
LAWFUL_PER_LANG = 128  # generated lawful messages per language
EVASION_SHARE_UNLAWFUL = 0.42
TRADITIONAL_SHARE_LAWFUL_ZH = 0.08  # lawful zh messages written wholly in traditional characters
FRAME_SHARE_UNLAWFUL = 0.5
ATTEMPTS_MAX = 60

# --- fillers -------------------------------------------------------------------------
BRANDS_ZH = [
    "青禾借",
    "云朵花",
    "橙意贷",
    "米粒借",
    "好借来",
    "安e花",
    "快易借",
    "禾苗钱包",
    "星河消费金融",
    "北辰金融",
    "恒祥消费金融",
    "锦程银行",
    "鑫融小贷",
    "悦享花",
    "小桔钱包",
    "诚意借",
    "满帆金融",
    "金穗银行",
    "百川消费金融",
    "随心借",
    "易贷通",
    "花生钱包",
    "信达普惠金融",
    "松果借钱",
    "顺心贷",
]
PHONES_ZH = [
    "400-820-1133",
    "400-661-2080",
    "95137",
    "400-900-5520",
    "95528",
    "400-611-7788",
    "400-188-3300",
    "400-006-9955",
    "400-870-2211",
    "95066",
    "400-105-3322",
    "400-626-1100",
    "95077",
]
NAMES_ZH = [
    "王先生",
    "李女士",
    "张先生",
    "刘女士",
    "陈先生",
    "杨女士",
    "赵先生",
    "黄女士",
    "周先生",
    "吴女士",
    "徐先生",
    "孙女士",
    "马先生",
    "朱女士",
    "胡先生",
    "郭女士",
    "何先生",
    "林女士",
]
PERSONS_ZH = ["张磊", "刘芳", "王建国", "陈静", "李娜", "赵强", "杨帆", "周敏", "吴昊", "郑丽", "孙浩", "冯雪"]
RELATIVES_ZH = ["女儿", "儿子", "老婆", "老公", "爸妈", "老母亲", "孩子", "小孙子", "媳妇"]
SCHOOLS_ZH = ["实验小学", "育才中学", "第三幼儿园", "阳光幼儿园", "外国语学校", "二中", "师大附小", "滨江小学"]
VIDEO_ZH = ["抖音", "快手", "视频号", "小红书", "B站", "微博", "西瓜视频"]
GROUPS_ZH = ["家族群", "小区业主群", "同学群", "孩子的家长群", "公司大群", "老乡群", "朋友圈"]
PRODUCTS_ZH = [
    "借呗",
    "微粒贷",
    "花呗",
    "京东白条",
    "美团月付",
    "360借条",
    "安逸花",
    "分期乐",
    "度小满",
    "好期贷",
    "网商贷",
    "拍拍贷",
    "京东金条",
]
ASSETS_ZH = ["房子", "车", "婚房", "金首饰", "门面", "宅基地", "理财", "手机和电脑", "老家的地"]
AUTH_ZH = [
    "人民法院",
    "派出所",
    "公安局经侦大队",
    "人民检察院",
    "征信中心",
    "金融监管总局",
    "仲裁委员会",
    "法院执行局",
    "网警",
]
INSULTS_ZH = [
    "废物",
    "垃圾",
    "畜生",
    "人渣",
    "狗东西",
    "蠢货",
    "白眼狼",
    "臭不要脸的",
    "穷鬼",
    "贱骨头",
    "王八蛋",
    "猪头",
    "赖皮狗",
    "死骗子",
]
AMOUNTS = [
    "356.00",
    "612.40",
    "1,050.00",
    "1,288.60",
    "2,006.00",
    "3,417.25",
    "4,520.18",
    "799.90",
    "8,100.00",
    "245.10",
    "1,900.00",
    "5,632.70",
]
DAYS = ["3", "5", "7", "12", "18", "31", "46", "62", "90"]
DATES_ZH = ["12月15日", "12月20日", "1月5日", "1月10日", "本月25日", "下周一"]

BRANDS_US = [
    "Keystone Credit",
    "Bluebell Loans",
    "Granite Bank",
    "Maple Finance",
    "Swift Cash Loans",
    "Clearwater Credit Union",
    "Ironbridge Finance",
    "Sunrise Lending",
    "Everly Bank",
    "Fernhill Credit",
    "Tidewater Loans",
    "Copperline Finance",
    "Northstar Bank",
    "Prairie Personal Loans",
    "Beacon Card",
]
COLLECTORS_US = ["Meridian Recovery Services", "Crestview Collections", "Westlake Receivables"]
BRANDS_UK = [
    "Thistle Finance",
    "Oakfield Bank",
    "Castle Credit",
    "Meadow Loans",
    "Harrow Money",
    "Kestrel Finance",
    "Bramble Loans",
    "Severn Bank",
    "Quayside Credit",
    "Larkspur Finance",
]
PHONES_US = [
    "1-800-555-0142",
    "1-888-555-0177",
    "1-866-555-0133",
    "1-877-555-0120",
    "1-855-555-0164",
    "1-844-555-0111",
    "(312) 555-0188",
]
PHONES_UK = ["0800 046 2210", "0800 118 4500", "0800 731 9900", "0330 123 4567", "0345 600 1200", "0161 496 0733"]
PREMIUM_UK = [
    "09067 112 908",
    "0906 661 4021",
    "0871 404 7770",
    "0872 240 0191",
    "0873 555 1010",
    "118 212",
    "118 707",
    "0909 880 3344",
]
FIRST_EN = [
    "Maria",
    "James",
    "Keisha",
    "Tom",
    "Priya",
    "Luis",
    "Hannah",
    "Darnell",
    "Emma",
    "Connor",
    "Aisha",
    "Ben",
    "Chloe",
    "Ravi",
    "Sophie",
    "Nathan",
]
PERSONS_EN = [
    "Carl Owens",
    "Dana Whitfield",
    "Leon Grant",
    "Megan Price",
    "Tyrone Banks",
    "Olivia Hart",
    "Sunil Mehta",
    "Rachel Kim",
    "Gareth Lloyd",
    "Nina Alvarez",
]
KIDS_EN = [
    "your daughter",
    "your son",
    "your kids",
    "your little boy",
    "your youngest",
    "your wife",
    "your mum",
    "your elderly dad",
    "your girlfriend",
]
SCHOOLS_EN = [
    "Lincoln Elementary",
    "St Mary's Primary",
    "Oakwood Middle School",
    "Riverside Academy",
    "Hillcrest Elementary",
    "the nursery on Park Road",
]
SOCIAL_EN = ["Facebook", "Instagram", "TikTok", "X", "Nextdoor", "LinkedIn", "YouTube", "your WhatsApp groups"]
PRODUCTS_EN = [
    "a payday loan",
    "a title loan",
    "a cash advance app",
    "Klarna",
    "Afterpay",
    "MoneyLion",
    "Dave",
    "Brigit",
    "a credit card cash advance",
    "a logbook loan",
    "a doorstep lender",
    "Lending Stream",
    "a guarantor loan",
]
PRODUCTS_LAWFUL_EN = [
    "a payday loan",
    "a title loan",
    "a cash advance",
    "a new credit card",
    "another loan",
    "a loan from another lender",
    "a logbook loan",
]
ASSETS_EN = [
    "your car",
    "your house",
    "the flat",
    "your jewellery",
    "your wedding ring",
    "your motorbike",
    "your TV and laptop",
]
INSULTS_EN = [
    "idiot",
    "loser",
    "scumbag",
    "deadbeat",
    "leech",
    "moron",
    "parasite",
    "lowlife",
    "waste of space",
    "clown",
    "dimwit",
    "freeloader",
]

SLOTS_ZH = {
    "rel": RELATIVES_ZH,
    "kid": ["女儿", "儿子", "孩子", "小孙子", "闺女", "小宝"],
    "M": ["13916620481", "13588027714", "18602113397", "15800746632", "17721039958", "13651870024"],
    "school": SCHOOLS_ZH,
    "video": VIDEO_ZH,
    "grp": GROUPS_ZH,
    "prod": PRODUCTS_ZH,
    "asset": ASSETS_ZH,
    "auth": AUTH_ZH,
    "ins": INSULTS_ZH,
    "amt": AMOUNTS,
    "days": DAYS,
    "date": DATES_ZH,
    "person": PERSONS_ZH,
    "hour": ["今晚八点", "今天下午五点", "明早九点", "今天十二点", "下午三点"],
    "time": ["四点半", "五点", "下午放学", "早上七点四十"],
    "emo": ["🙂", "😉", "👀", "🔥", "⏰", "🙏"],
}
SLOTS_EN = {
    "kid": KIDS_EN,
    "school": SCHOOLS_EN,
    "social": SOCIAL_EN,
    "prod": PRODUCTS_EN,
    "asset": ASSETS_EN,
    "ins": INSULTS_EN,
    "days": DAYS,
    "first": FIRST_EN,
    "person": PERSONS_EN,
    "hour": ["by 6pm", "tonight", "within the hour", "before midnight", "by noon tomorrow"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "emo": ["🙂", "😉", "👀", "🔥", "⏰", "👍"],
    "prodl": PRODUCTS_LAWFUL_EN,
}

# fmt: off
# Templates: (name, jurisdiction, channel, purpose, role, text). "*" = chosen by the generator.
# {B} sender brand, {P} its phone, {N} the addressee, {A} an amount with currency, {PR} a premium number.
T = tuple[str, str, str, str, str, str]

UNLAWFUL: dict[str, dict[str, list[T]]] = {
    "threat_harm": {
        "zh": [
            ("school_pickup", "CN", "*", "collection", "borrower", "你{kid}每天{time}从{school}出来，我们都看着呢。钱不到账，«路上出点什么事»可别怪我们。"),
            ("legs", "CN", "*", "collection", "borrower", "{hour}前不还，«打断你的腿»，说到做到。"),
            ("old_mother", "CN", "*", "collection", "borrower", "听说你{rel}身体不太好，«经不起折腾»，你自己看着办吧。"),
            ("car", "CN", "*", "collection", "borrower", "你车停哪儿我们都知道，再不还«车窗玻璃就保不住了»{emo}"),
            ("night_visit", "CN", "*", "collection", "borrower", "今晚我们几个兄弟去你家坐坐，«门锁结不结实»你心里有数。"),
            ("blood", "CN", "*", "collection", "borrower", "欠{amt}元不还，«让你见点血»你才知道厉害。"),
            ("follow", "CN", "*", "collection", "borrower", "从明天起有人跟着你上下班，«出了意外»别说没提醒你。"),
            ("family_safe", "CN", "*", "collection", "borrower", "想让你«家里人平平安安»，{hour}前把钱转过来。"),
            ("fire", "CN", "*", "collection", "borrower", "再装死，«一把火烧了你家店»。"),
            ("kill", "CN", "*", "collection", "borrower", "不还钱«弄死你»，不信试试。"),
        ],
        "en": [
            ("school_gate", "*", "*", "collection", "borrower", "We know {kid} goes to {school}. Pay {hour}, or «we can't promise they get home safe»."),
            ("accident", "*", "*", "collection", "borrower", "People who ignore us tend to «have accidents», {first}. Pay {hour}."),
            ("break", "*", "*", "collection", "borrower", "Pay up or «we break your legs». Simple as that."),
            ("car_windows", "*", "*", "collection", "borrower", "Nice car. «Be a shame if it got torched». Pay {hour}."),
            ("visit", "*", "*", "collection", "borrower", "The boys are paying you a visit {hour}. «Bring your first aid kit.»"),
            ("watching", "*", "*", "collection", "borrower", "We're watching your house, {first}. «Think about {kid}» before you ignore us again."),
            ("hurt", "*", "*", "collection", "borrower", "Last chance. Pay {hour} or «someone gets hurt»."),
            ("burn", "*", "*", "collection", "borrower", "Keep ignoring us and «your place might catch fire» one night {emo}"),
            ("dead", "*", "*", "collection", "borrower", "Pay or «you're a dead man». We mean it."),
        ],
    },
    "exposure": {
        "zh": [
            ("contacts_blast", "CN", "*", "collection", "borrower", "{hour}前不还，«把你的欠款信息群发给通讯录所有人»。"),
            ("group_poster", "CN", "*", "collection", "borrower", "你的照片和身份证已经做成了海报，«发到你的{grp}»，让大家认识认识你。"),
            ("video_post", "CN", "*", "collection", "borrower", "再拖就«把你欠钱的事拍成视频发{video}»，标题就叫“欠钱不还”。"),
            ("boss_call", "CN", "*", "collection", "borrower", "不还就«打电话给你们公司领导»，让你单位都知道。"),
            ("village", "CN", "*", "collection", "borrower", "我们«去你老家村口贴告示»，让乡亲们都看看。"),
            ("colleagues", "CN", "*", "collection", "borrower", "明天开始«挨个给你同事发短信»，说你借了{amt}不还。"),
            ("wanted", "CN", "*", "collection", "borrower", "已生成你的“老赖悬赏令”，«转发到{grp}»，{hour}前还可撤回。"),
            ("mixed", "CN", "*", "collection", "borrower", "不还就«send到你的{grp}»，everyone都会知道。"),
            ("pta", "CN", "*", "collection", "borrower", "你孩子在{school}吧？«在家长群里说说你欠钱的事»，你看好不好。"),
        ],
        "en": [
            ("facebook", "*", "*", "collection", "borrower", "Pay {hour} or «we post about your debt on {social}» for everyone to see."),
            ("employer", "*", "*", "collection", "borrower", "Unless we hear from you, «we'll call your boss» and explain why you can't be trusted with money."),
            ("contacts", "*", "*", "collection", "borrower", "«Every contact in your phone will get a message» about what you owe {hour}."),
            ("neighbours", "*", "*", "collection", "borrower", "«We'll let your neighbours know» you don't pay your bills."),
            ("tiktok", "*", "*", "collection", "borrower", "How does a «TikTok about your unpaid loan» sound? Pay {hour}."),
            ("wall_of_shame", "*", "*", "collection", "borrower", "Your name is going on «our public wall of shame» on {weekday}."),
            ("church", "*", "*", "collection", "borrower", "«Your church and your gym will hear about this» unless you pay {hour}."),
            ("tag", "*", "*", "collection", "borrower", "We'll «tag your friends on {social}» so they know you owe us."),
            ("coworkers", "*", "*", "collection", "borrower", "«Your coworkers will be emailed» about the balance if it's not paid by {weekday}."),
        ],
    },
    "false_authority": {
        "zh": [
            ("court_case", "CN", "*", "collection", "borrower", "【{auth}】您因拖欠网贷«已被立案»，请于{hour}前联系还款，逾期将依法强制执行。"),
            ("police_file", "CN", "*", "collection", "borrower", "你的资料已移交«{auth}»，涉嫌诈骗，不还款«将被刑事拘留»。"),
            ("jail", "CN", "*", "collection", "borrower", "欠{amt}元不还，«等着坐牢»吧。"),
            ("credit_black", "CN", "*", "collection", "borrower", "«征信中心»通知：您的逾期将导致全家«终身不能坐飞机、子女不能上大学»。"),
            ("regulator", "CN", "*", "collection", "borrower", "我是«金融监管总局»专员，您的账户已被冻结，需将欠款转入核查账户方可解冻。"),
            ("summons", "CN", "letter", "collection", "borrower", "«法院传票»：被告人你已拖欠{amt}元，限{date}前到庭，否则«缺席判决并拘留»。"),
            ("warrant", "CN", "*", "collection", "borrower", "«逮捕令»已经下发，{hour}前结清可以撤销。"),
            ("arbitration", "CN", "*", "collection", "borrower", "«仲裁裁决»已生效，«执行局»明天上门查封你名下财产。"),
            ("lawyer_fake", "CN", "*", "collection", "borrower", "我们是«公安局»合作律所，你的行为已构成犯罪，马上还款可以不追究。"),
        ],
        "en": [
            ("warrant", "US", "*", "collection", "borrower", "A «warrant for your arrest» will be issued {hour} unless the balance is paid."),
            ("sheriff", "US", "*", "collection", "borrower", "This is Deputy Cole with the «sheriff's office». Call back {hour} regarding your unpaid loan."),
            ("jail", "*", "*", "collection", "borrower", "Non-payment is fraud. «You could go to jail» for this, {first}."),
            ("bailiff_form", "UK", "letter", "collection", "borrower", "«NOTICE OF ENFORCEMENT: HIGH COURT ENFORCEMENT OFFICER». Goods will be seized on {weekday} unless {A} is paid."),
            ("court_form", "UK", "letter", "collection", "borrower", "«COUNTY COURT CLAIM FORM». You must pay {A} within 7 days or a judgment will be entered today."),
            ("fca", "UK", "*", "collection", "borrower", "«The Financial Conduct Authority» has instructed us to recover {A} from you immediately."),
            ("cfpb", "US", "*", "collection", "borrower", "«Federal notice from the CFPB»: your account is flagged for enforcement. Pay {A} now."),
            ("police_visit", "*", "*", "collection", "borrower", "«The police have been informed» and will visit your address {hour}."),
            ("bureau", "*", "*", "collection", "borrower", "«Experian has been ordered to blacklist you» for life unless you pay {A} {hour}."),
            ("prosecution", "*", "*", "collection", "borrower", "Your file has been passed to «the district attorney for criminal prosecution»."),
        ],
    },
    "insult": {
        "zh": [
            ("plain", "CN", "*", "collection", "borrower", "你这个«{ins}»，欠{amt}还装死？"),
            ("shameless", "CN", "*", "collection", "borrower", "«臭不要脸»，借钱的时候怎么不说没钱？"),
            ("sb", "CN", "*", "collection", "borrower", "«傻逼»，赶紧还钱。"),
            ("brain", "CN", "*", "collection", "borrower", "你«脑子有病»吧？还款日都过了{days}天了。"),
            ("parents", "CN", "*", "collection", "borrower", "你爸妈怎么生出你这种«{ins}»？"),
            ("trash_life", "CN", "*", "collection", "borrower", "活成你这样的«{ins}»也是少见，钱呢？"),
            ("dog", "CN", "*", "collection", "borrower", "«狗都比你讲信用»，{hour}前还钱。"),
            ("laolai", "CN", "*", "collection", "borrower", "«死老赖»，别躲了。"),
        ],
        "en": [
            ("plain", "*", "*", "collection", "borrower", "Pay your bill, you «{ins}»."),
            ("stupid", "*", "*", "collection", "borrower", "Are you «too stupid to read»? Your payment is {days} days late."),
            ("pathetic", "*", "*", "collection", "borrower", "«Pathetic». A grown adult who can't pay {A}."),
            ("trash", "*", "*", "collection", "borrower", "Listen, «you piece of trash», we want our money {hour}."),
            ("abbr", "*", "*", "collection", "borrower", "Stop hiding, «POS». Pay {hour}."),
            ("mother", "*", "*", "collection", "borrower", "Your mother must be «ashamed of a worthless {ins}» like you."),
            ("lowlife", "*", "*", "collection", "borrower", "Only a «lowlife» ignores 14 calls. Pay."),
            ("brain", "*", "*", "collection", "borrower", "Do you have «a single brain cell», {first}? The balance is overdue."),
        ],
    },
    "new_borrowing": {
        "zh": [
            ("product", "CN", "*", "collection", "borrower", "没钱就«去{prod}借一笔»，先把我们这边还了。"),
            ("two", "CN", "*", "collection", "borrower", "«开通{prod}»，额度出来马上转给我们，{hour}前。"),
            ("yidai", "CN", "*", "collection", "borrower", "«以贷养贷»谁都这么干，你也«找别的平台借»一下。"),
            ("card", "CN", "*", "collection", "borrower", "«刷信用卡还»，或者找亲戚借，反正今天要到账。"),
            ("link", "CN", "*", "collection", "borrower", "我们合作的«借款平台秒批»，点链接申请就能把欠款还上。"),
            ("koz", "CN", "*", "collection", "borrower", "«再撸几个口子»，拆东墙补西墙，先把{amt}还了。"),
            ("loan_shark", "CN", "*", "collection", "borrower", "实在没有就«找放贷的借»，利息高点也得还我们。"),
            ("friend", "CN", "*", "collection", "borrower", "«跟朋友借、网上借都行»，{hour}前必须还款。"),
        ],
        "en": [
            ("product", "*", "*", "collection", "borrower", "Can't pay? «Take out {prod}» and clear this {hour}."),
            ("payday", "US", "*", "collection", "borrower", "«Grab a payday loan» on your lunch break and send it to us."),
            ("card", "*", "*", "collection", "borrower", "«Put it on a credit card». We don't care how, just pay {A}."),
            ("partner", "*", "*", "collection", "borrower", "Our «partner lender can approve you in minutes». Use it to pay us off."),
            ("borrow_family", "*", "*", "collection", "borrower", "«Borrow it from family» or «get another loan». Pay {hour}."),
            ("overdraft", "UK", "*", "collection", "borrower", "«Go into your overdraft» and transfer {A} today."),
            ("advance", "US", "*", "collection", "borrower", "«Get a paycheck advance from {prod}» and pay us before {weekday}."),
            ("apps", "*", "*", "collection", "borrower", "There are «loan apps that pay out in 10 minutes». Use one."),
        ],
    },
    "pressure": {
        "zh": [
            ("countdown", "CN", "*", "collection", "borrower", "«最后{days}分钟»⏰ 超时«全额翻倍»，立即还款！"),
            ("sell_asset", "CN", "*", "collection", "borrower", "你不是有«{asset}»吗？«卖了»还钱不就完了。"),
            ("mortgage", "CN", "*", "collection", "borrower", "把«{asset}抵押»了，{hour}前把钱凑齐。"),
            ("pawn", "CN", "*", "collection", "borrower", "«拿去当铺当了»，今天就能还上{amt}。"),
            ("only_chance", "CN", "*", "collection", "borrower", "«今天是唯一机会»，错过{hour}永不受理，后果自负。"),
            ("family_savings", "CN", "*", "collection", "borrower", "«动用你爸妈的养老钱»也得还，今天必须结清。"),
            ("limited", "CN", "*", "collection", "borrower", "减免名额«仅剩1个»，«{days}分钟内»不还就给下一位。"),
            ("gold", "CN", "*", "collection", "borrower", "家里值钱的«{asset}»该处理就处理，别等了。"),
        ],
        "en": [
            ("remortgage", "UK", "*", "collection", "borrower", "You own a home. «Remortgage it» and clear {A}."),
            ("sell", "*", "*", "collection", "borrower", "«Sell {asset}» and get the money to us {hour}."),
            ("equity", "UK", "*", "collection", "borrower", "«Release equity from your property» and settle this by {weekday}."),
            ("minutes", "*", "*", "collection", "borrower", "«Only {days} minutes left» to accept before it's gone forever."),
            ("last_ever", "*", "*", "collection", "borrower", "«FINAL chance ever». Pay {hour} or this offer is gone for good!!!"),
            ("pension", "*", "*", "collection", "borrower", "«Cash out your pension» if you have to. Pay in full."),
            ("pawn", "*", "*", "collection", "borrower", "«Pawn {asset}». Pawn shops are open till 8."),
            ("double", "*", "*", "collection", "borrower", "Pay now «or the balance doubles at midnight»."),
        ],
    },
    "disguised": {
        "zh": [
            ("parcel", "CN", "sms", "collection", "borrower", "【快递】您的«包裹派送失败»，请回复现住址和单位名称，以便重新派送。"),
            ("prize", "CN", "sms", "collection", "borrower", "恭喜您«获得幸运大奖»！请回电{M}领取，需核实姓名和工作单位。"),
            ("survey", "CN", "sms", "collection", "borrower", "您好，诚邀您参与«消费者满意度调查»，请告知您现在的工作单位和住址，完成即送话费。"),
            ("wrong", "CN", "sms", "collection", "borrower", "«不好意思发错了»，是{person}吗？有急事麻烦回个电话{M}。"),
            ("classmate", "CN", "sms", "collection", "borrower", "«老同学»，我是你初中同桌啊，换号了，回个电话{M}聚聚？"),
            ("courier_doc", "CN", "sms", "collection", "borrower", "您有一份«重要文件待签收»，请回复您的详细地址。"),
            ("lottery", "CN", "sms", "collection", "borrower", "【中奖通知】您的号码«被抽中二等奖»，请回拨{M}领取现金。"),
            ("delivery_call", "CN", "sms", "collection", "borrower", "«外卖骑手»：您的订单地址有误，请回电{M}确认。"),
        ],
        "en": [
            ("parcel", "UK", "sms", "collection", "borrower", "«We tried to deliver your parcel» today. Call {PR} to rebook."),
            ("prize", "UK", "sms", "collection", "borrower", "«You've won a £250 voucher»! Call {PR} to claim your prize."),
            ("survey", "*", "sms", "collection", "borrower", "«Quick 2-minute survey»: please reply with your employer and home address to get a gift card."),
            ("wrong_number", "*", "sms", "collection", "borrower", "«Sorry, wrong number». Is this {person}? Please call me back, it's important."),
            ("premium_help", "UK", "*", "collection", "borrower", "To discuss your account «call {PR}» (calls cost up to £3.60/min)."),
            ("premium_text", "UK", "sms", "collection", "borrower", "«Text PAY to {PR}» to settle your balance (£2.50 per text)."),
            ("courier_addr", "*", "sms", "collection", "borrower", "«Courier notice»: confirm your address and workplace so we can complete delivery."),
            ("reunion", "*", "sms", "collection", "borrower", "«Hey it's an old school friend»! Lost your number. Where are you working these days?"),
        ],
    },
    "third_party": {
        "zh": [
            ("tell_pay", "CN", "*", "*", "*", "您好，«{person}在我司的借款已逾期»，请您«转告本人尽快还款»。"),
            ("pay_for", "CN", "*", "*", "*", "您是{person}的紧急联系人，«他欠款{amt}元»，«您能否先替他还上»？"),
            ("urge", "CN", "*", "*", "*", "«请您督促{person}还款»，已经{days}天没还了。"),
            ("pass_on", "CN", "*", "*", "*", "麻烦«转告{person}»，«那笔钱今天必须处理»。"),
            ("spouse", "CN", "*", "*", "emergency_contact", "您爱人«在我们平台有欠款»，«您做家属的也要负责»。"),
            ("colleague", "CN", "*", "*", "third_party", "你是{person}同事吧？«跟他说一声欠我们的钱该还了»。"),
            ("disclose", "CN", "*", "*", "*", "通知您：«{person}的借款已逾期{days}天»，特此告知。"),
        ],
        "en": [
            ("tell_pay", "*", "*", "*", "*", "Hi, «{person} owes us {A}». Could you «ask them to pay»?"),
            ("cover", "*", "*", "*", "*", "You're listed as {person}'s contact. «Would you be able to cover their overdue balance»?"),
            ("pass_on", "*", "*", "*", "*", "«Please tell {person} to pay us {hour}»."),
            ("disclose", "*", "*", "*", "*", "We're writing because «{person} is {days} days behind on their loan» with us."),
            ("remind", "*", "*", "*", "*", "«Could you remind {person} their payment is overdue»? Thanks."),
            ("employer", "*", "*", "*", "third_party", "As {person}'s employer, you should know «their account with us is in default»."),
            ("urge", "*", "*", "*", "*", "«Get {person} to sort out their debt», it's been {days} days."),
        ],
    },
}

# Lawful bodies: the frame (sender, official channel, objection route, opt-out) is added by _frame.
LAWFUL: dict[str, list[T]] = {
    "zh": [
        ("overdue", "CN", "*", "collection", "borrower", "{N}，您的借款已逾期{days}天，应还{A}，请尽快处理。"),
        ("no_contacts", "CN", "*", "collection", "borrower", "{N}，您的账单已逾期，应还{A}。我们«不会联系您的通讯录好友»，也不会打扰您的同事。"),
        ("no_police", "CN", "*", "collection", "borrower", "{N}，您的借款已逾期{days}天。{B}«从不以公安、法院名义联系您»，请通过官方渠道核实。"),
        ("no_new_loan", "CN", "*", "collection", "borrower", "{N}，您的借款应还{A}。«请勿以贷养贷»，不要为还款向{prod}等平台借钱，有困难可申请分期。"),
        ("no_fee", "CN", "*", "collection", "borrower", "{N}，您的借款已逾期。我们«不收取任何额外催收费用»，仅按合同约定计息。应还{A}。"),
        ("no_visit", "CN", "*", "collection", "borrower", "{N}，您的账单逾期{days}天。我们«不会上门，不会联系您的家人或单位»。"),
        ("no_post", "CN", "*", "collection", "borrower", "{N}，您的借款已逾期。我们«不会在朋友圈、微信群或{video}公开您的信息»。应还{A}。"),
        ("no_sell", "CN", "*", "collection", "borrower", "{N}，您的借款应还{A}。您«无需变卖房产、车辆»，我们可按您的收入制定还款计划。"),
        ("no_threat", "CN", "*", "collection", "borrower", "{N}，您的借款已逾期{days}天。我们«绝不会威胁、辱骂或恐吓»您及家人。"),
        ("no_arrest", "CN", "*", "collection", "borrower", "{N}，欠款逾期属民事纠纷，«不会因此被拘留或坐牢»。请尽快与我们协商，应还{A}。"),
        ("legal", "CN", "*", "collection", "borrower", "{N}，您的借款已逾期{days}天，应还{A}。如协商不成，我司可能«依法向人民法院起诉»。"),
        ("credit_report", "CN", "*", "collection", "borrower", "{N}，您的借款已逾期，逾期信息将按规定«报送征信系统»。应还{A}，请及时还款以免影响信用。"),
        ("hardship", "CN", "*", "collection", "borrower", "{N}，如您因失业、疾病等原因暂时无法还款，可申请«延期或分期»，我们会认真评估。"),
        ("plan", "CN", "*", "collection", "borrower", "{N}，您可申请将欠款{A}分为6期偿还，期间停止收取罚息。"),
        ("no_parcel", "CN", "*", "collection", "borrower", "{N}，提醒您：我们«不会以快递、中奖等名义»联系您。您的借款已逾期{days}天。"),
        ("reminder", "CN", "app_push", "reminder", "borrower", "{N}，您本期账单{A}将于{date}到期，请保持账户余额充足。"),
        ("reminder_sms", "CN", "sms", "reminder", "borrower", "还款提醒：您的借款将于{date}到期，应还{A}。如已还款请忽略。"),
        ("receipt", "CN", "app_push", "service", "borrower", "您已成功还款{A}，感谢您的支持。"),
        ("settled", "CN", "app_push", "service", "borrower", "您的借款已全部结清，结清证明可在App中下载。"),
        ("code", "CN", "sms", "service", "borrower", "您的验证码为{code}，5分钟内有效，请勿告诉他人。"),
        ("plan_ok", "CN", "app_push", "service", "borrower", "您的分期申请已通过，首期{A}将于{date}扣款。"),
        ("locate", "CN", "sms", "location", "emergency_contact", "您好，我们想联系{person}，麻烦请其方便时回电{P}，谢谢。"),
        ("locate2", "CN", "sms", "location", "emergency_contact", "您好，打扰了。如您方便，请转告{person}与我们联系，电话{P}。"),
    ],
    "en": [
        ("overdue", "*", "*", "collection", "borrower", "Hi {N}, your payment of {A} is {days} days past due."),
        ("no_contacts", "*", "*", "collection", "borrower", "Hi {N}, your account is past due ({A}). «We will not contact your employer, friends or family» about it."),
        ("no_arrest", "*", "*", "collection", "borrower", "{N}, your balance of {A} is overdue. «We will never threaten you with arrest»; not paying a debt is not a crime."),
        ("no_police", "*", "*", "collection", "borrower", "{N}, «we never contact you in the name of the police or a court». Your payment of {A} is late."),
        ("no_payday", "*", "*", "collection", "borrower", "{N}, «please don't take out {prodl}» to pay us. Call us and we'll find a plan you can afford."),
        ("no_fee", "*", "*", "collection", "borrower", "{N}, your payment is {days} days late. «We charge no extra collection fees.» Amount due: {A}."),
        ("no_social", "*", "*", "collection", "borrower", "{N}, «we never post about customers on social media». Your account is {days} days behind."),
        ("no_sell", "UK", "*", "collection", "borrower", "{N}, your account is in arrears by {A}. «We won't ask you to sell or remortgage your home.»"),
        ("no_premium", "UK", "*", "collection", "borrower", "{N}, your payment of {A} is late. «We never use premium-rate numbers»; our helpline is free."),
        ("legal", "*", "*", "collection", "borrower", "{N}, your account is {days} days past due ({A}). If we can't agree a plan, «we may consider legal action», but we'd rather work it out."),
        ("hardship", "*", "*", "collection", "borrower", "{N}, if a job loss or illness is making payments hard, ask us about «our hardship programme»: lower payments and no late fees."),
        ("advice", "UK", "*", "collection", "borrower", "{N}, your account is behind. Free, independent «debt advice» is available from MoneyHelper and StepChange."),
        ("no_threat", "*", "*", "collection", "borrower", "{N}, your payment is overdue. «We won't threaten, insult or shame you», and we'll only contact you at reasonable hours."),
        ("collector", "US", "*", "collection", "borrower", "This is a communication from a debt collector. Your account has a past-due balance of {A}."),
        ("reminder", "*", "*", "reminder", "borrower", "Reminder: your payment of {A} is due on {weekday}."),
        ("receipt", "*", "*", "service", "borrower", "Thanks, {N}! We received your payment of {A}."),
        ("plan_ok", "*", "*", "service", "borrower", "Your payment plan is set up: {A} a month, starting {weekday}."),
        ("code", "*", "sms", "service", "borrower", "Your one-time code is {code}. Never share it with anyone."),
        ("card_post", "*", "*", "service", "borrower", "Your new card is in the post and should arrive within 5 working days."),
        ("locate", "*", "sms", "location", "emergency_contact", "Hello, we're trying to reach {person}. Could you ask them to call us?"),
        ("locate2", "*", "sms", "location", "emergency_contact", "Hi, this is the customer team trying to update contact details for {person}. Please ask them to give us a call."),
    ],
}
# fmt: on

EMOJI = ["💥", "🌚", "🍉", "👻", "🧨", "⚡"]
ZERO_WIDTH = ["\u200b", "\u200d", "\ufeff", "\u2063"]
# Homophone / pinyin / shorthand spellings written for this split.
HOMOPHONES_ZH = {
    "通讯录": ["童讯录", "tong讯录", "通xun录", "TXL"],
    "坐牢": ["座牢", "坐劳", "zuo牢"],
    "拘留": ["拘溜", "ju溜"],
    "警": ["jing"],
    "法院": ["法苑", "fa院"],
    "老赖": ["老癞", "lao赖"],
    "傻逼": ["傻bi", "煞笔", "SB", "ｓｂ"],
    "垃圾": ["拉圾", "lj"],
    "废物": ["废勿", "fei物"],
    "畜生": ["畜牲", "cs"],
    "人渣": ["人zha", "仁渣"],
    "王八蛋": ["王8蛋", "wbd"],
    "打断": ["打duan", "达断"],
    "弄死": ["弄s", "nong死"],
    "见点血": ["见点xue", "见點血"],
    "借": ["jie"],
    "抵押": ["di押"],
    "卖": ["mai"],
    "曝光": ["曝guang"],
    "群发": ["qun发"],
    "视频": ["shi频"],
    "领导": ["ling导", "LD"],
    "传票": ["chuan票"],
    "立案": ["li案"],
    "征信": ["zheng信"],
    "逾期": ["yu期"],
    "欠款": ["qian款"],
    "还款": ["huan款"],
}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "$"}


def _evade_zh(rng: random.Random, phrase: str) -> str:
    op = rng.randrange(7)
    if op == 0:
        return between(phrase, lambda: rng.choice(EMOJI))
    if op == 1:
        return between(phrase, lambda: rng.choice(ZERO_WIDTH))
    if op == 2:
        return between(phrase, lambda: rng.choice([" ", "·", "*", "-"]))
    if op == 3:
        return traditional(phrase)
    if op == 4:
        return pinyin_one(rng, phrase)
    if op == 5:
        out = substitute(rng, phrase, HOMOPHONES_ZH)
        return out if out != phrase else pinyin_one(rng, phrase)
    return full_width(phrase) if any(c.isascii() and c.isalnum() for c in phrase) else traditional(phrase)


def _evade_en(rng: random.Random, phrase: str) -> str:
    op = rng.randrange(6)
    if op == 0:
        return between(phrase, lambda: " ")
    if op == 1:
        return between(phrase, lambda: rng.choice([".", "-", "_"]))
    if op == 2:
        return full_width(phrase)
    if op == 3:
        return "".join(LEET.get(c, c) if c.islower() and rng.random() < 0.6 else c for c in phrase)
    if op == 4:
        return between(phrase, lambda: rng.choice(ZERO_WIDTH))
    return " ".join(w + rng.choice(EMOJI) if len(w) > 3 and rng.random() < 0.5 else w for w in phrase.split(" "))


def _amount(rng: random.Random, jurisdiction: str) -> str:
    value = rng.choice(AMOUNTS)
    return {"CN": f"{value}元", "US": f"${value}", "UK": f"£{value}"}[jurisdiction]


def _frame_zh(rng: random.Random, body: str, purpose: str, complete: bool) -> str:
    """Sender, official channel and (collection) the objection route around a zh body."""
    head = "【{B}】" if rng.random() < 0.85 else "{B}提醒您："
    if not complete:
        return head + body
    channel = rng.choice(["请登录{B}App或致电{P}处理。", "还款请通过{B}App，客服电话{P}。", "详询官方客服{P}。"])
    if purpose in ("service", "reminder"):
        channel = rng.choice(["详询官方客服{P}。", "客服电话{P}。", "详情请查看{B}App。"])
    if purpose == "location":
        channel = ""
    tail = ""
    if purpose == "collection":
        tail = rng.choice(
            ["如有异议请致电{P}。", "如有异议请致电{P}，我们将在3个工作日内答复。", "如有异议请致电{P}或在App内提交。"]
        )
    elif purpose == "location":
        tail = "如有异议请致电{P}。"
    return head + body + channel + tail


def _frame_en(rng: random.Random, body: str, juris: str, channel: str, purpose: str, complete: bool) -> str:
    """Sender, official channel and (US sms/email) the opt-out around an en body."""
    if channel == "letter":
        head = "Dear {N},\n\n"
        body = body.removeprefix("Hi {N}, ").removeprefix("{N}, ")
        i = 1 if body.startswith("«") else 0
        body = body[:i] + body[i].upper() + body[i + 1 :]
        tail = "\n\nCall us on {P} or write to us. Yours sincerely,\n{B}" if complete else "\n\n{B}"
        return head + body + tail
    head = rng.choice(["{B}: ", "{B} - ", "From {B}: "])
    if channel == "email":
        head = rng.choice(["Subject: Your {B} account\n\n", "Subject: About your account\n\n{B}: "])
    if not complete:
        return head + body
    contact = rng.choice(
        [" Call {P} or use the {B} app.", " Questions? Call {P}.", " Manage it in the {B} app or call {P}."]
    )
    if purpose == "location":
        contact = rng.choice([" Our number is {P}.", " You can reach us on {P}."])
    optout = " Reply STOP to opt out." if juris == "US" and channel in ("sms", "email") else ""
    return head + body + contact + optout


def _context(rng: random.Random, lang: str, t: T, unlawful: bool) -> tuple[str, str, str, str]:
    _, juris, channel, purpose, role, _ = t
    if juris == "*":
        juris = rng.choice(["US", "UK"]) if lang == "en" else "CN"
    if channel == "*":
        pool = ["sms"] * 5 + ["app_push"] * 2 + ["email"] * 2 + ["letter"]
        if lang == "zh" and unlawful:
            pool = ["sms"] * 6 + ["app_push"] * 2 + ["letter"]
        channel = rng.choice(pool)
    if role == "*":
        role = rng.choice(["emergency_contact", "third_party"])
    if purpose == "*":
        purpose = rng.choice(["collection", "collection", "location", "reminder"])
    return juris, channel, purpose, role


def _slots(rng: random.Random, lang: str, juris: str, collector: bool) -> dict[str, list[str]]:
    base = dict(SLOTS_ZH if lang == "zh" else SLOTS_EN)
    if lang == "zh":
        brand, phone, name = rng.choice(BRANDS_ZH), rng.choice(PHONES_ZH), rng.choice(NAMES_ZH)
    elif juris == "US":
        brand = rng.choice(COLLECTORS_US if collector else BRANDS_US)
        phone, name = rng.choice(PHONES_US), rng.choice(FIRST_EN)
    else:
        brand, phone, name = rng.choice(BRANDS_UK), rng.choice(PHONES_UK), rng.choice(FIRST_EN)
    base.update(
        B=[brand], P=[phone], N=[name], A=[_amount(rng, juris)], PR=PREMIUM_UK, code=[f"{rng.randrange(10**6):06d}"]
    )
    return base


def _one(rng: random.Random, label: str, lang: str, t: T) -> Draft:
    unlawful = label != "lawful"
    juris, channel, purpose, role = _context(rng, lang, t, unlawful)
    if label == "third_party" and purpose == "reminder" and lang == "en":
        purpose = "collection"
    body = t[5]
    if unlawful:
        framed = label != "disguised" and not body.startswith("【") and rng.random() < FRAME_SHARE_UNLAWFUL
        complete = framed and rng.random() < 0.6
    else:
        framed = complete = True
    if framed:
        body = (
            _frame_zh(rng, body, purpose, complete)
            if lang == "zh"
            else _frame_en(rng, body, juris, channel, purpose, complete)
        )
    elif lang == "en" and channel == "letter":
        body = "Dear {N},\n\n" + body
    text = fill(rng, body, _slots(rng, lang, juris, collector=t[0] == "collector"))
    if unlawful and rng.random() < EVASION_SHARE_UNLAWFUL:
        evade = (lambda p: _evade_zh(rng, p)) if lang == "zh" else (lambda p: _evade_en(rng, p))
        text = apply_keys(text, evade)
    elif not unlawful and lang == "zh" and rng.random() < TRADITIONAL_SHARE_LAWFUL_ZH:
        text = traditional(strip_keys(text))  # a lawful sender writing to a user who reads traditional script
    else:
        text = strip_keys(text)
    return Draft(
        text=tidy(text),
        lang=lang,
        label=label,
        role=role,
        jurisdiction=juris,
        channel=channel,
        purpose=purpose,
        origin=f"template:{SPLIT}.{label}.{t[0]}",
    )


def generate() -> list[Draft]:
    """The generated messages of the test2 split, deterministic for SEED."""
    rng = random.Random(SEED)  # nosec B311
    out: list[Draft] = []
    seen: set[str] = set()
    plan = [
        (label, lang, templates, UNLAWFUL_PER_INTENT_LANG)
        for label, by in UNLAWFUL.items()
        for lang, templates in by.items()
    ]
    plan += [("lawful", lang, templates, LAWFUL_PER_LANG) for lang, templates in LAWFUL.items()]
    for label, lang, templates, n in plan:
        for i in range(n):
            for _ in range(ATTEMPTS_MAX):
                # cycle through the templates so each is used, then pick at random
                t = templates[i % len(templates)] if i < len(templates) else rng.choice(templates)
                d = _one(rng, label, lang, t)
                if d.text not in seen:
                    break
            else:
                continue
            seen.add(d.text)
            out.append(d)
    return out
