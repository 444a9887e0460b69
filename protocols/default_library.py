"""Default protocol library: contraindication kinds and protocol templates for a new clinic.

Pure data, no imports and no logic. A data migration or a management command copies it into the
database, where clinic admins may then edit every value. Every text is bilingual (``en`` and
``ru``) and plain text: paragraphs are separated by a blank line and bullet lines start with
"- "; no HTML, no Markdown, no template syntax. Step instructions are written for the massage
therapist; handout sections are written for the patient (often elderly).

All texts are the product's own words. They follow the clinical rules of ``shared/DOMAIN.md`` and
never reproduce the source articles' sentences. Sources by rule id:

- contraindication kinds and severities: R9 (blocks), R10 (warns);
- session length ramp, course size, cadence, break between courses: R1, R2, R3, R4;
- day 21 after surgery and the kinesiotherapy alternative: R8;
- stage and knee-sparing variant: R11; the ``in_warm_water`` flag and method styles: R16;
- step sequence of the classic knee procedure and its cautions: R12; massage before exercise
  therapy: R13;
- leg massage for sciatica: R14;
- home-care handout sections (honey rub, gentle stretches, swelling, seeing a doctor): R15;
- the weekly 60-minute Swedish template: "Evidence, for the record" (Perlman et al., PLoS One
  2012).

The schedule and the "call the clinic if ..." warnings are not part of the handout sections: the
app adds those itself.
"""

CONTRAINDICATION_KINDS = [
    {
        "code": "bleeding",
        "severity": "blocks",
        "name": {"en": "Bleeding", "ru": "Кровотечение"},
        "patient_text": {
            "en": (
                "While you have any bleeding, massage is not done. This includes a wound that "
                "keeps bleeding, nosebleeds that are hard to stop, or blood in the urine or "
                "stool.\n\n"
                "Please tell the clinic, and see your doctor. The session will be moved to a "
                "later day."
            ),
            "ru": (
                "Пока у вас есть кровотечение, массаж не проводят. Это может быть ранка, "
                "которая не перестаёт кровить, носовое кровотечение, которое трудно "
                "остановить, или кровь в моче или кале.\n\n"
                "Сообщите об этом в клинику и обратитесь к врачу. Сеанс перенесут на другой "
                "день."
            ),
        },
    },
    {
        "code": "acute_inflammation",
        "severity": "blocks",
        "name": {"en": "Acute inflammation", "ru": "Острое воспаление"},
        "patient_text": {
            "en": (
                "If a joint has become red, hot, swollen and painful, or you have another "
                "acute inflammation, massage has to wait. It would only make the inflammation "
                "worse.\n\n"
                "Tell the clinic and see your doctor. The massage course can go on once the "
                "inflammation has fully settled."
            ),
            "ru": (
                "Если сустав покраснел, стал горячим, опух и болит или у вас другое острое "
                "воспаление, с массажем нужно подождать: сейчас он только усилит воспаление.\n\n"
                "Сообщите в клинику и обратитесь к врачу. Курс массажа можно будет продолжить, "
                "когда воспаление полностью пройдёт."
            ),
        },
    },
    {
        "code": "thrombosis",
        "severity": "blocks",
        "name": {"en": "Vascular thrombosis", "ru": "Тромбоз сосудов"},
        "patient_text": {
            "en": (
                "A blood clot in a vein or artery rules out massage. Massage could loosen the "
                "clot and send it on through the blood, which is dangerous.\n\n"
                "Do not rub or massage the leg yourself either. If your leg suddenly swells, or "
                "the calf becomes painful, warm or red, see a doctor the same day."
            ),
            "ru": (
                "При тромбе в вене или артерии массаж делать нельзя: он может сорвать сгусток, "
                "и тот уйдёт с током крови. Это опасно.\n\n"
                "Сами тоже не растирайте и не массируйте ногу. Если нога внезапно отекла или "
                "икра стала болезненной, горячей или покраснела, обратитесь к врачу в тот же "
                "день."
            ),
        },
    },
    {
        "code": "fever",
        "severity": "blocks",
        "name": {"en": "Fever or high temperature", "ru": "Лихорадка, повышенная температура"},
        "patient_text": {
            "en": (
                "If you have a raised temperature or feel feverish, please do not come to your "
                "session. Massage is not done while you are unwell.\n\n"
                "Call the clinic instead, and we will move the session to another day."
            ),
            "ru": (
                "Если у вас поднялась температура или вас знобит, пожалуйста, не приходите на "
                "сеанс: пока вы болеете, массаж не проводят.\n\n"
                "Позвоните в клинику, и мы перенесём сеанс на другой день."
            ),
        },
    },
    {
        "code": "anticoagulants",
        "severity": "warns",
        "name": {
            "en": "Blood thinners (anticoagulants)",
            "ru": "Приём антикоагулянтов (препаратов, разжижающих кровь)",
        },
        "patient_text": {
            "en": (
                "Medicines that thin the blood make bruises appear more easily.\n\n"
                "Tell your therapist about every medicine you take, including aspirin. The "
                "therapist will press more lightly. If you notice new bruises after a session, "
                "mention them at your next visit."
            ),
            "ru": (
                "Из-за лекарств, разжижающих кровь, синяки появляются легче.\n\n"
                "Расскажите массажисту обо всех лекарствах, которые принимаете, в том числе об "
                "аспирине. Массажист будет работать с более лёгким нажимом. Если после сеанса "
                "заметите новые синяки, скажите об этом на следующем визите."
            ),
        },
    },
    {
        "code": "poor_limb_blood_supply",
        "severity": "warns",
        "name": {
            "en": "Poor blood supply to the leg",
            "ru": "Нарушение кровоснабжения ноги",
        },
        "patient_text": {
            "en": (
                "When blood does not reach the leg well, the feet may feel cold, look pale or "
                "go numb, and walking can bring on pain.\n\n"
                "Your therapist will choose gentle techniques that help the blood flow. Tell "
                "the therapist about any change in skin colour and about any sore that is slow "
                "to heal. Do not put a hot water bottle on feet that feel numb."
            ),
            "ru": (
                "Если к ноге плохо поступает кровь, стопы могут мёрзнуть, бледнеть или неметь, "
                "а при ходьбе может появляться боль.\n\n"
                "Массажист подберёт мягкие приёмы, которые улучшают кровоток. Говорите ему, "
                "если изменился цвет кожи или появилась ранка, которая долго не заживает. Не "
                "прикладывайте грелку к онемевшим стопам."
            ),
        },
    },
]


# Handout sections shared by the knee-arthrosis templates (R15). Each template lists its own
# "What happens in a session" section first, then these.
_KNEE_HONEY_RUB = {
    "title": {"en": "Warm honey rub at home", "ru": "Тёплое растирание мёдом дома"},
    "text": {
        "en": (
            "- Warm the knee for 15 to 20 minutes: a warm bath, or a wrapped hot water bottle.\n"
            "- Melt a tablespoon of honey in a bowl over hot water. Do not let it boil.\n"
            "- Rub the warm, not hot, honey gently into the knee for about 15 minutes.\n"
            "- Cover with gauze and a warm scarf. It can stay on overnight.\n\n"
            "Skip the honey rub if the knee is red, hot or swollen, if the skin is broken or has "
            "a rash, or if you are allergic to honey."
        ),
        "ru": (
            "- Прогрейте колено 15–20 минут: тёплой ванной или грелкой в полотенце.\n"
            "- Растопите ложку мёда на водяной бане, не доводя до кипения.\n"
            "- Мягко втирайте тёплый, не горячий мёд в колено около 15 минут.\n"
            "- Накройте марлей и тёплым шарфом. Так можно оставить на ночь.\n\n"
            "Не делайте растирание, если колено покраснело, горячее или отекло, если на коже "
            "ранка или сыпь, а также при аллергии на мёд."
        ),
    },
}

_KNEE_STRETCHES = {
    "title": {"en": "Gentle stretches instead of a rub", "ru": "Мягкая растяжка вместо растирания"},
    "text": {
        "en": (
            "- Sit on a firm chair, rest your heel on a low stool and let the straight leg relax "
            "for a minute or two.\n"
            "- Lie on your back, loop a towel round your foot and slowly draw the heel towards "
            "you, bending the knee only as far as is comfortable. Hold for a few breaths, then "
            "straighten the leg.\n"
            "- Move slowly, without bouncing or pushing.\n\n"
            "If it hurts, stop: a mild pull is fine, pain is not. Do not repeat the massage of "
            "your sessions at home: without training it can make the knee worse."
        ),
        "ru": (
            "- Сидя, положите пятку на скамеечку и расслабьте ногу на 1–2 минуты.\n"
            "- Лёжа на спине, подтягивайте пятку к себе полотенцем на стопе, сгибая колено, пока "
            "это комфортно. Задержитесь на пару вдохов и выпрямите ногу.\n"
            "- Двигайтесь медленно, без рывков и усилия.\n\n"
            "Если больно, остановитесь: лёгкое натяжение — нормально, боль — нет. Не повторяйте "
            "дома массаж с сеансов: без подготовки можно навредить колену."
        ),
    },
}

_KNEE_SWELLING = {
    "title": {"en": "If the knee swells or hurts", "ru": "Если колено отекло или болит"},
    "text": {
        "en": (
            "- Rest the leg: no long walks or stairs for a day or two.\n"
            "- Lie with the leg on a pillow, the knee higher than your hip.\n"
            "- Cool the knee with ice in a thin towel for about 15 minutes, a few times a day. "
            "Never put ice straight on the skin.\n"
            "- An elastic bandage helps with swelling: snug, never tight. Your toes should stay "
            "warm and pink.\n\n"
            "If the pain does not ease within a few days, or keeps coming back, see your doctor."
        ),
        "ru": (
            "- Дайте ноге отдых: день-два без долгой ходьбы и лестниц.\n"
            "- Лёжа, положите ногу на подушку, чтобы колено было выше бедра.\n"
            "- Лёд — через тонкое полотенце, не на голую кожу, по 15 минут.\n"
            "- При отёке поможет эластичный бинт: плотно, но не туго; пальцы ног должны "
            "оставаться тёплыми и розовыми.\n\n"
            "Если боль держится несколько дней или возвращается, обратитесь к врачу."
        ),
    },
}


TEMPLATES = [
    # 1. Classic procedure with the knee included (R11 stage 1; stage 2 when the knee is not
    #    painful on touch), step sequence and cautions of R12, ramp and course of R1-R3.
    {
        "slug": "knee-arthrosis-classic",
        "name": {
            "en": "Knee arthrosis, stages 1–2: classic massage",
            "ru": "Гонартроз 1–2 степени: классический массаж",
        },
        "description": {
            "en": (
                "Full classic procedure for knee arthrosis, knee included: lower back, thigh, "
                "then careful work on the joint. For stage 2 only when touching the knee "
                "does not hurt; otherwise use the knee-sparing template. Pressure on the joint "
                "stays gentle, and any technique that causes pain is stopped."
            ),
            "ru": (
                "Полная классическая процедура при гонартрозе с массажем самого колена: "
                "поясница, бедро, затем бережная работа с суставом. При 2 степени — только если "
                "колено не болит при прикосновении, иначе используйте шаблон без воздействия на "
                "колено. На сустав давят мягко, а любой приём, вызывающий боль, прекращают."
            ),
        },
        "method_style": "classic",
        "conditions": ["knee_arthrosis"],
        "stages": [1, 2],
        "start_minutes": 7,
        "step_minutes": 1,
        "target_minutes": 15,
        "min_sessions": 15,
        "max_sessions": 20,
        "default_sessions": 15,
        "cadence_days": 1,
        "break_months": 1,
        "postop_days": 21,
        "knee_sparing": False,
        "in_warm_water": False,
        "steps": [
            {
                "phase": "introductory",
                "body_area": {"en": "Lower back", "ru": "Поясница"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Patient prone. Smooth, soft stroking of the lumbar region, mostly with "
                        "the fingertips, then light rubbing along the paravertebral muscles."
                    ),
                    "ru": (
                        "Пациент лёжа на животе. Плавное мягкое поглаживание поясничной "
                        "области, в основном кончиками пальцев, затем лёгкое растирание вдоль "
                        "паравертебральных мышц."
                    ),
                },
                "repetitions": {"en": "about 1–2 min", "ru": "около 1–2 мин"},
            },
            {
                "phase": "introductory",
                "body_area": {"en": "Thigh of the affected leg", "ru": "Бедро больной ноги"},
                "technique": "squeezing",
                "instruction": {
                    "en": (
                        "Alternate stroking passes with squeezing over the thigh, from the knee "
                        "towards the groin and buttock."
                    ),
                    "ru": (
                        "Чередуйте поглаживание и выжимание по бедру в направлении от колена к "
                        "паху и ягодице."
                    ),
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
            {
                "phase": "introductory",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Shake the thigh muscles loose, then knead with both hands, transversely "
                        "and longitudinally, until the tissue is warm."
                    ),
                    "ru": (
                        "Расслабьте мышцы бедра потряхиванием, затем разминайте двумя руками, "
                        "поперечно и продольно, до ощущения тепла в тканях."
                    ),
                },
                "repetitions": {"en": "", "ru": ""},
            },
            {
                "phase": "main",
                "body_area": {"en": "Knee, both sides", "ru": "Колено с обеих сторон"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Patient supine, a small roll under the knee. Circular stroking on the "
                        "medial and lateral sides of the joint, light and continuous."
                    ),
                    "ru": (
                        "Пациент лёжа на спине, под коленом небольшой валик. Лёгкое непрерывное "
                        "круговое поглаживание с внутренней и наружной стороны сустава."
                    ),
                },
                "repetitions": {"en": "4–6 times", "ru": "4–6 раз"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Knee joint", "ru": "Коленный сустав"},
                "technique": "rubbing",
                "instruction": {
                    "en": (
                        "Semicircular rubbing around the joint with the heel of the hand and the "
                        "fingers, changing direction. Adjust force to tissue sensitivity; keep "
                        "it gentle and stop if it causes pain."
                    ),
                    "ru": (
                        "Полукружное растирание вокруг сустава основанием ладони и пальцами в "
                        "разных направлениях. Силу подбирайте по чувствительности тканей: "
                        "мягко, при боли — прекратить."
                    ),
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "kneading",
                "instruction": {
                    "en": "Brief, brisk thigh massage: stroking, kneading and rubbing in quick "
                    "succession to keep the muscles warm.",
                    "ru": "Короткий энергичный массаж бедра: поглаживание, разминание и "
                    "растирание в быстром темпе, чтобы мышцы оставались разогретыми.",
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Knee joint", "ru": "Коленный сустав"},
                "technique": "passive_movement",
                "instruction": {
                    "en": (
                        "Very careful passive flexion and extension, only within the pain-free "
                        "range. Stretch the sore leg slowly and only along its back surface; no "
                        "forcing at the end of the range. Stop at the first sign of pain."
                    ),
                    "ru": (
                        "Очень осторожное пассивное сгибание и разгибание, только в "
                        "безболезненном объёме. Больную ногу растягивают медленно и только по "
                        "задней поверхности, без дожима в конце амплитуды. При первой боли — "
                        "остановиться."
                    ),
                },
                "repetitions": {"en": "5–6 times", "ru": "5–6 раз"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Lower leg", "ru": "Голень"},
                "technique": "passive_movement",
                "instruction": {
                    "en": (
                        "With the knee slightly bent and supported, slowly rotate the shin "
                        "inwards and outwards through a small, painless arc."
                    ),
                    "ru": (
                        "Колено слегка согнуто и поддержано. Медленно вращайте голень внутрь и "
                        "наружу с небольшой безболезненной амплитудой."
                    ),
                },
                "repetitions": {"en": "3–4 times each way", "ru": "3–4 раза в каждую сторону"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Return to the thigh: deeper two-handed kneading of the front, outer and "
                        "inner surfaces, finishing with stroking."
                    ),
                    "ru": (
                        "Вернитесь к бедру: более глубокое разминание двумя руками по передней, "
                        "наружной и внутренней поверхностям, в конце — поглаживание."
                    ),
                },
                "repetitions": {"en": "about 2 min", "ru": "около 2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Knee", "ru": "Колено"},
                "technique": "rubbing",
                "instruction": {
                    "en": (
                        "Fingertip rubbing only, around the kneecap and along the joint line; "
                        "spend longer on tender spots but keep the pressure light. No direct "
                        "force on the kneecap."
                    ),
                    "ru": (
                        "Растирание только кончиками пальцев вокруг надколенника и по линии "
                        "суставной щели; на болезненных участках дольше, но с лёгким нажимом. "
                        "Прямо на надколенник не давить."
                    ),
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Knee and thigh", "ru": "Колено и бедро"},
                "technique": "stroking",
                "instruction": {
                    "en": "Slow, light stroking over the knee and up the thigh.",
                    "ru": "Медленное лёгкое поглаживание колена и бедра снизу вверх.",
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Leg", "ru": "Нога"},
                "technique": "shaking",
                "instruction": {
                    "en": "Gentle shaking of the leg to relax it. No other techniques in this "
                    "phase.",
                    "ru": "Мягкое потряхивание ноги для расслабления. Других приёмов в этой "
                    "части нет.",
                },
                "repetitions": {"en": "2–3 times", "ru": "2–3 раза"},
            },
        ],
        "handout_sections": [
            {
                "title": {"en": "During the session", "ru": "Во время сеанса"},
                "text": {
                    "en": (
                        "Just let the leg relax, also while the therapist slowly bends and "
                        "straightens the knee for you. The massage should feel pleasant, at most "
                        "a little uncomfortable. If anything hurts, say so at once: the therapist "
                        "will press more lightly or leave that part out."
                    ),
                    "ru": (
                        "Просто расслабьте ногу, даже когда массажист медленно сгибает и "
                        "разгибает колено. Массаж должен быть приятным или чуть неприятным. Если "
                        "что-то болит, сразу скажите: массажист уменьшит нажим или пропустит "
                        "приём."
                    ),
                },
            },
            _KNEE_HONEY_RUB,
            _KNEE_STRETCHES,
            _KNEE_SWELLING,
        ],
    },
    # 2. Knee-sparing variant (R11: stage 2 with a knee painful on touch, stage 3).
    {
        "slug": "knee-arthrosis-knee-sparing",
        "name": {
            "en": "Knee arthrosis, stages 2–3: knee-sparing massage",
            "ru": "Гонартроз 2–3 степени: массаж без воздействия на колено",
        },
        "description": {
            "en": (
                "For stage 2 when the knee is painful to the touch, and for stage 3. Works the "
                "lower back, buttock and thigh to ease muscle spasm and improve blood flow; the "
                "joint is left untouched. Stage 3 patients should also have a surgical "
                "consultation."
            ),
            "ru": (
                "При 2 степени, если колено болезненно при прикосновении, и при 3 степени. "
                "Массируют поясницу, ягодицу и бедро, чтобы снять мышечный спазм и улучшить "
                "кровоток; сам сустав не массируют. Пациентам с 3 степенью нужна также "
                "консультация хирурга."
            ),
        },
        "method_style": "classic",
        "conditions": ["knee_arthrosis"],
        "stages": [2, 3],
        "start_minutes": 7,
        "step_minutes": 1,
        "target_minutes": 15,
        "min_sessions": 15,
        "max_sessions": 20,
        "default_sessions": 15,
        "cadence_days": 2,
        "break_months": 1,
        "postop_days": 21,
        "knee_sparing": True,
        "in_warm_water": False,
        "steps": [
            {
                "phase": "introductory",
                "body_area": {"en": "Lower back", "ru": "Поясница"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Patient prone. Smooth, soft stroking of the lumbar region, mostly with "
                        "the fingertips."
                    ),
                    "ru": (
                        "Пациент лёжа на животе. Плавное мягкое поглаживание поясничной "
                        "области, в основном кончиками пальцев."
                    ),
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "introductory",
                "body_area": {"en": "Lower back", "ru": "Поясница"},
                "technique": "rubbing",
                "instruction": {
                    "en": "Light rubbing along the paravertebral muscles of the lumbar spine.",
                    "ru": "Лёгкое растирание вдоль паравертебральных мышц поясничного отдела.",
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "introductory",
                "body_area": {"en": "Thigh of the affected leg", "ru": "Бедро больной ноги"},
                "technique": "squeezing",
                "instruction": {
                    "en": (
                        "Alternate stroking and squeezing over the thigh towards the groin and "
                        "buttock. Start a hand's width above the kneecap; do not touch the joint."
                    ),
                    "ru": (
                        "Чередуйте поглаживание и выжимание по бедру в направлении к паху и "
                        "ягодице. Начинайте на ладонь выше надколенника; сустава не касаться."
                    ),
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
            {
                "phase": "main",
                "body_area": {
                    "en": "Buttock and hip",
                    "ru": "Ягодица и область тазобедренного сустава",
                },
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Knead the gluteal muscles and the soft tissue around the hip joint, "
                        "moderate pressure, adjusted to the patient."
                    ),
                    "ru": (
                        "Разминание ягодичных мышц и мягких тканей вокруг тазобедренного "
                        "сустава с умеренным нажимом, по самочувствию пациента."
                    ),
                },
                "repetitions": {"en": "about 2 min", "ru": "около 2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Two-handed kneading, transverse and longitudinal, over the back, then "
                        "(patient supine) the front, outer and inner thigh. Stay a hand's width "
                        "above the kneecap."
                    ),
                    "ru": (
                        "Разминание двумя руками, поперечное и продольное: задняя поверхность "
                        "бедра, затем (пациент на спине) передняя, наружная и внутренняя. "
                        "Держитесь на ладонь выше надколенника."
                    ),
                },
                "repetitions": {"en": "about 3 min", "ru": "около 3 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "rubbing",
                "instruction": {
                    "en": (
                        "Rubbing with the heel of the hand and the fingers until the skin "
                        "reddens slightly and feels warm."
                    ),
                    "ru": (
                        "Растирание основанием ладони и пальцами до лёгкого покраснения кожи и "
                        "ощущения тепла."
                    ),
                },
                "repetitions": {"en": "about 1–2 min", "ru": "около 1–2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "vibration",
                "instruction": {
                    "en": "Light continuous vibration over the thigh muscles, away from the knee.",
                    "ru": "Лёгкая непрерывная вибрация по мышцам бедра, в стороне от колена.",
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Thigh and buttock", "ru": "Бедро и ягодица"},
                "technique": "stroking",
                "instruction": {
                    "en": "Slow, light stroking up the thigh towards the buttock.",
                    "ru": "Медленное лёгкое поглаживание бедра вверх, к ягодице.",
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "shaking",
                "instruction": {
                    "en": "Gentle shaking of the thigh muscles to relax them; leave the knee "
                    "still.",
                    "ru": "Мягкое потряхивание мышц бедра для расслабления; колено не трогать.",
                },
                "repetitions": {"en": "2–3 times", "ru": "2–3 раза"},
            },
        ],
        "handout_sections": [
            {
                "title": {"en": "During the session", "ru": "Во время сеанса"},
                "text": {
                    "en": (
                        "Warm, relaxed muscles around the knee help it hurt less. If anything "
                        "hurts, say so at once: the therapist will press more lightly or leave "
                        "that part out."
                    ),
                    "ru": (
                        "Согретые, расслабленные мышцы помогают колену меньше болеть. Если что-то "
                        "болит, сразу скажите: массажист уменьшит нажим или пропустит приём."
                    ),
                },
            },
            _KNEE_HONEY_RUB,
            _KNEE_STRETCHES,
            _KNEE_SWELLING,
        ],
    },
    # 3. After joint replacement (R8: from day 21; the kinesiotherapy alternative before then).
    {
        "slug": "after-endoprosthetics",
        "name": {
            "en": "After joint replacement: gentle leg massage",
            "ru": "После эндопротезирования: щадящий массаж ноги",
        },
        "description": {
            "en": (
                "Gentle, mostly stroking work on the lower back, thigh and lower leg to help "
                "blood and lymph flow and reduce swelling after knee or hip replacement. No "
                "pressure on the operated joint or the scar until the surgeon allows it. Before "
                "day 21 there is no massage; the alternative is kinesiotherapy: passive "
                "movements and isometric tensing of the thigh muscles."
            ),
            "ru": (
                "Щадящая работа, в основном поглаживание, на пояснице, бедре и голени для "
                "улучшения крово- и лимфотока и уменьшения отёка после эндопротезирования "
                "коленного или тазобедренного сустава. На оперированный сустав и рубец не "
                "давить, пока не разрешит хирург. До 21-го дня массаж не применяют; вместо него — "
                "кинезиотерапия: пассивные движения и изометрические напряжения мышц бедра."
            ),
        },
        "method_style": "classic",
        "conditions": ["endoprosthetics"],
        "stages": [],
        "start_minutes": 7,
        "step_minutes": 1,
        "target_minutes": 15,
        "min_sessions": 15,
        "max_sessions": 20,
        "default_sessions": 15,
        "cadence_days": 2,
        "break_months": 1,
        "postop_days": 21,
        "knee_sparing": True,
        "in_warm_water": False,
        "steps": [
            {
                "phase": "introductory",
                "body_area": {"en": "Lower leg (check)", "ru": "Голень (осмотр)"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Before starting, look at both calves. One-sided calf swelling, pain, "
                        "warmth or redness: do not massage, refer to a doctor the same day. "
                        "Otherwise begin with very light stroking of the lower leg."
                    ),
                    "ru": (
                        "Перед началом осмотрите обе голени. Односторонний отёк, боль, "
                        "местный жар или покраснение икры — массаж не проводить, в тот же день "
                        "направить к врачу. Если всё в порядке, начните с очень лёгкого "
                        "поглаживания голени."
                    ),
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
            {
                "phase": "introductory",
                "body_area": {"en": "Lower back", "ru": "Поясница"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Position the patient as the surgeon's precautions allow (after hip "
                        "replacement usually on the back or the healthy side, a pillow between "
                        "the knees). Soft stroking of the lumbar region."
                    ),
                    "ru": (
                        "Уложите пациента так, как допускают ограничения хирурга (после "
                        "эндопротезирования тазобедренного сустава обычно на спине или на "
                        "здоровом боку, с подушкой между коленями). Мягкое поглаживание "
                        "поясничной области."
                    ),
                },
                "repetitions": {"en": "about 1–2 min", "ru": "около 1–2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Lower leg", "ru": "Голень"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Long, light stroking from the ankle up to the knee, following venous "
                        "and lymph flow. Keep clear of the scar."
                    ),
                    "ru": (
                        "Длинное лёгкое поглаживание от лодыжки вверх к колену по ходу "
                        "венозного и лимфатического оттока. Рубец обходить."
                    ),
                },
                "repetitions": {"en": "5–6 times", "ru": "5–6 раз"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Calf", "ru": "Икроножная мышца"},
                "technique": "squeezing",
                "instruction": {
                    "en": "Very light squeezing of the calf towards the knee; surface only, no "
                    "deep pressure.",
                    "ru": "Очень лёгкое выжимание икры в направлении к колену; только "
                    "поверхностно, без глубокого нажима.",
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Alternating palm stroking up the thigh towards the groin. Keep a "
                        "distance of a few fingers from the scar and do not press on the "
                        "operated joint."
                    ),
                    "ru": (
                        "Попеременное поглаживание ладонями по бедру вверх, к паху. "
                        "Отступайте от рубца на несколько пальцев и не давите на оперированный "
                        "сустав."
                    ),
                },
                "repetitions": {"en": "5–6 times", "ru": "5–6 раз"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Thigh", "ru": "Бедро"},
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Gentle, superficial kneading of the thigh muscles away from the scar. "
                        "Stop if the patient feels pain in the operated joint."
                    ),
                    "ru": (
                        "Мягкое поверхностное разминание мышц бедра в стороне от рубца. При "
                        "боли в оперированном суставе — прекратить."
                    ),
                },
                "repetitions": {"en": "about 1–2 min", "ru": "около 1–2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Ankle and foot", "ru": "Голеностоп и стопа"},
                "technique": "passive_movement",
                "instruction": {
                    "en": (
                        "Slow passive bending and straightening of the foot at the ankle to help "
                        "venous return. Do not move the operated joint."
                    ),
                    "ru": (
                        "Медленное пассивное сгибание и разгибание стопы в голеностопном "
                        "суставе для улучшения венозного оттока. Оперированный сустав не "
                        "двигать."
                    ),
                },
                "repetitions": {"en": "8–10 times", "ru": "8–10 раз"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Whole leg", "ru": "Вся нога"},
                "technique": "stroking",
                "instruction": {
                    "en": "Long, light stroking from the foot up to the groin, passing around the "
                    "scar.",
                    "ru": "Длинное лёгкое поглаживание от стопы до паха, в обход рубца.",
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
        ],
        "handout_sections": [
            {
                "title": {"en": "During the session", "ru": "Во время сеанса"},
                "text": {
                    "en": (
                        "The massage is light and calm. The therapist strokes your lower back, "
                        "thigh and lower leg to help blood flow and to bring down swelling. The "
                        "new joint and the scar are not pressed on.\n\n"
                        "Before each session the therapist will look at your legs. You will lie "
                        "in a position that is safe for your new joint.\n\n"
                        "If anything hurts, say so at once, especially in the operated joint."
                    ),
                    "ru": (
                        "Массаж лёгкий и спокойный. Массажист поглаживает поясницу, бедро и "
                        "голень, чтобы улучшить кровоток и уменьшить отёк. На новый сустав и "
                        "рубец не давят.\n\n"
                        "Перед каждым сеансом массажист осмотрит ваши ноги. Вас уложат в "
                        "положение, безопасное для нового сустава.\n\n"
                        "Если что-то болит, сразу скажите, особенно если боль в оперированном "
                        "суставе."
                    ),
                },
            },
            {
                "title": {"en": "Looking after the scar", "ru": "Уход за рубцом"},
                "text": {
                    "en": (
                        "- Do not rub honey, creams or ointments into the scar unless your "
                        "surgeon has said you may.\n"
                        "- Do not put heat on the scar or the new joint: no hot water bottle, "
                        "no warm wraps, no sauna.\n"
                        "- Keep the scar clean and dry, as your surgical team showed you.\n\n"
                        "If the scar becomes red, hot or starts to leak fluid, tell your "
                        "surgeon."
                    ),
                    "ru": (
                        "- Не втирайте в рубец мёд, кремы и мази, пока хирург это не "
                        "разрешит.\n"
                        "- Не грейте рубец и новый сустав: без грелки, тёплых компрессов и "
                        "бани.\n"
                        "- Держите рубец в чистоте и сухости, как вам показали в больнице.\n\n"
                        "Если рубец покраснел, стал горячим или из него выделяется жидкость, "
                        "сообщите хирургу."
                    ),
                },
            },
            {
                "title": {"en": "Your rehabilitation exercises", "ru": "Ваши упражнения"},
                "text": {
                    "en": (
                        "Massage helps, but it does not replace the exercises your surgeon or "
                        "physiotherapist gave you. Keep doing them every day, exactly as you "
                        "were shown.\n\n"
                        "- Follow the rules you were given about how to sit, lie down and "
                        "bend.\n"
                        "- Short, frequent walks are better than one long one.\n"
                        "- On massage days, do the exercises after the massage, when the muscles "
                        "are warm.\n\n"
                        "If an exercise hurts, stop and ask your physiotherapist."
                    ),
                    "ru": (
                        "Массаж помогает, но не заменяет упражнения, которые назначили хирург "
                        "или реабилитолог. Выполняйте их каждый день так, как вам показали.\n\n"
                        "- Соблюдайте правила, которые вам дали: как сидеть, ложиться и "
                        "наклоняться.\n"
                        "- Лучше гулять часто и понемногу, чем один раз долго.\n"
                        "- В дни массажа делайте упражнения после него, пока мышцы согреты.\n\n"
                        "Если упражнение вызывает боль, остановитесь и посоветуйтесь с "
                        "реабилитологом."
                    ),
                },
            },
        ],
    },
    # 4. Leg massage for sciatica (R14).
    {
        "slug": "sciatica-leg",
        "name": {
            "en": "Sciatica: lower back and leg massage",
            "ru": "Ишиас: массаж поясницы и ноги",
        },
        "description": {
            "en": (
                "Lower back, buttock and the whole leg on the painful side. On the leg, work "
                "starts with short strokes at the ankle that grow longer up the leg, and slow "
                "circles around the knee that widen towards the back of the knee. Ease off if "
                "pain shoots down the leg or numbness appears."
            ),
            "ru": (
                "Поясница, ягодица и вся нога на стороне боли. На ноге начинают с коротких "
                "поглаживаний от лодыжки, которые постепенно удлиняются вверх, и медленных "
                "круговых движений вокруг колена, расширяющихся к подколенной ямке. Если боль "
                "простреливает в ногу или появляется онемение, уменьшите нажим."
            ),
        },
        "method_style": "classic",
        "conditions": ["sciatica"],
        "stages": [],
        "start_minutes": 7,
        "step_minutes": 1,
        "target_minutes": 15,
        "min_sessions": 15,
        "max_sessions": 20,
        "default_sessions": 15,
        "cadence_days": 2,
        "break_months": 1,
        "postop_days": 21,
        "knee_sparing": False,
        "in_warm_water": False,
        "steps": [
            {
                "phase": "introductory",
                "body_area": {"en": "Lower back", "ru": "Поясница"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Patient prone, a pillow under the abdomen if that eases the back. Soft "
                        "stroking of the lumbar region."
                    ),
                    "ru": (
                        "Пациент лёжа на животе, под животом подушка, если так спине легче. "
                        "Мягкое поглаживание поясничной области."
                    ),
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "introductory",
                "body_area": {"en": "Lower back", "ru": "Поясница"},
                "technique": "rubbing",
                "instruction": {
                    "en": "Gentle rubbing along the lumbar paravertebral muscles, both sides.",
                    "ru": "Мягкое растирание паравертебральных мышц поясницы с обеих сторон.",
                },
                "repetitions": {"en": "about 1–2 min", "ru": "около 1–2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Buttock (hip)", "ru": "Ягодица (область бедра)"},
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Knead the gluteal muscles on the painful side with moderate pressure. "
                        "Avoid sustained pressure where it sends pain down the leg."
                    ),
                    "ru": (
                        "Разминание ягодичных мышц на стороне боли с умеренным нажимом. Не "
                        "задерживайте давление там, где оно отдаёт болью в ногу."
                    ),
                },
                "repetitions": {"en": "about 2 min", "ru": "около 2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Lower leg", "ru": "Голень"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Start at the ankle with short strokes; make each stroke a little longer "
                        "until it runs up the whole lower leg."
                    ),
                    "ru": (
                        "Начните от лодыжки короткими поглаживаниями; каждое следующее чуть "
                        "длиннее, пока движение не пройдёт по всей голени."
                    ),
                },
                "repetitions": {"en": "5–6 times", "ru": "5–6 раз"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Calf", "ru": "Икроножная мышца"},
                "technique": "kneading",
                "instruction": {
                    "en": "Kneading of the calf muscles, moderate pressure, towards the knee.",
                    "ru": "Разминание икроножных мышц с умеренным нажимом в направлении к колену.",
                },
                "repetitions": {"en": "about 1–2 min", "ru": "около 1–2 мин"},
            },
            {
                "phase": "main",
                "body_area": {
                    "en": "Around the knee and back of the knee",
                    "ru": "Вокруг колена и подколенная ямка",
                },
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Slow circular strokes around the knee, the circles gradually widening "
                        "until they reach the back of the knee. Only light pressure in the "
                        "hollow behind the knee."
                    ),
                    "ru": (
                        "Медленные круговые поглаживания вокруг колена; круги постепенно "
                        "расширяются, пока не захватят подколенную ямку. В самой ямке — только "
                        "лёгкий нажим."
                    ),
                },
                "repetitions": {"en": "4–6 times", "ru": "4–6 раз"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Back of the thigh", "ru": "Задняя поверхность бедра"},
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Two-handed kneading of the hamstrings from the knee up to the buttock, "
                        "pressure adjusted to the patient's response."
                    ),
                    "ru": (
                        "Разминание двумя руками задней группы мышц бедра от колена к ягодице; "
                        "нажим подбирайте по реакции пациента."
                    ),
                },
                "repetitions": {"en": "about 2 min", "ru": "около 2 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Back of the thigh", "ru": "Задняя поверхность бедра"},
                "technique": "vibration",
                "instruction": {
                    "en": "Light continuous vibration along the back of the thigh.",
                    "ru": "Лёгкая непрерывная вибрация по задней поверхности бедра.",
                },
                "repetitions": {"en": "about 1 min", "ru": "около 1 мин"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Whole leg and lower back", "ru": "Вся нога и поясница"},
                "technique": "stroking",
                "instruction": {
                    "en": "Long, slow stroking from the ankle up to the buttock, finishing over "
                    "the lower back.",
                    "ru": "Длинное медленное поглаживание от лодыжки до ягодицы с переходом "
                    "на поясницу.",
                },
                "repetitions": {"en": "3–4 times", "ru": "3–4 раза"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Leg", "ru": "Нога"},
                "technique": "shaking",
                "instruction": {
                    "en": "Gentle shaking of the leg muscles to relax them.",
                    "ru": "Мягкое потряхивание мышц ноги для расслабления.",
                },
                "repetitions": {"en": "2–3 times", "ru": "2–3 раза"},
            },
        ],
        "handout_sections": [
            {
                "title": {"en": "During the session", "ru": "Во время сеанса"},
                "text": {
                    "en": (
                        "The therapist massages your lower back, your buttock and the leg on the "
                        "painful side, working slowly up from the ankle to the hip.\n\n"
                        "Tell the therapist at once if pain shoots down your leg, or if the leg "
                        "tingles or goes numb. They will press more lightly or change the "
                        "movement."
                    ),
                    "ru": (
                        "Массажист массирует поясницу, ягодицу и ногу на стороне боли, медленно "
                        "продвигаясь от лодыжки вверх к бедру.\n\n"
                        "Сразу скажите массажисту, если боль простреливает в ногу или нога "
                        "покалывает или немеет. Он уменьшит нажим или сменит приём."
                    ),
                },
            },
            {
                "title": {"en": "Keep moving gently", "ru": "Двигайтесь понемногу"},
                "text": {
                    "en": (
                        "Staying in bed usually makes sciatica last longer. Gentle everyday "
                        "movement helps more.\n\n"
                        "- Take short walks several times a day, at a pace that feels "
                        "comfortable.\n"
                        "- Do not sit for long. Get up and walk around for a few minutes about "
                        "every half hour.\n"
                        "- Choose a firm chair with a back, and avoid low, soft seats.\n"
                        "- When you pick something up, bend your knees rather than your back.\n\n"
                        "If a movement hurts, stop."
                    ),
                    "ru": (
                        "Постельный режим обычно затягивает ишиас. Больше помогает спокойное "
                        "повседневное движение.\n\n"
                        "- Несколько раз в день выходите на короткие прогулки в удобном для вас "
                        "темпе.\n"
                        "- Не сидите подолгу. Примерно каждые полчаса вставайте и несколько "
                        "минут ходите.\n"
                        "- Выбирайте твёрдый стул со спинкой, избегайте низких мягких сидений.\n"
                        "- Поднимая что-то с пола, сгибайте колени, а не спину.\n\n"
                        "Если движение вызывает боль, остановитесь."
                    ),
                },
            },
            {
                "title": {"en": "Warmth", "ru": "Тепло"},
                "text": {
                    "en": (
                        "Warmth often relaxes tight muscles in the back and buttock.\n\n"
                        "- A warm shower, or a warm (not hot) water bottle wrapped in a towel on "
                        "the lower back for 15 to 20 minutes.\n"
                        "- Do not fall asleep with a hot water bottle on.\n"
                        "- Do not put heat on skin that feels numb: you may not notice a burn."
                    ),
                    "ru": (
                        "Тепло часто расслабляет напряжённые мышцы спины и ягодицы.\n\n"
                        "- Тёплый душ или тёплая (не горячая) грелка, обёрнутая полотенцем, на "
                        "поясницу на 15–20 минут.\n"
                        "- Не засыпайте с грелкой.\n"
                        "- Не грейте онемевшую кожу: можно не заметить ожог."
                    ),
                },
            },
            {
                "title": {"en": "When to see a doctor", "ru": "Когда обратиться к врачу"},
                "text": {
                    "en": (
                        "See your doctor soon if:\n\n"
                        "- the pain does not get better after a few weeks, or keeps getting "
                        "worse;\n"
                        "- the leg or foot feels numb, or the leg is getting weak.\n\n"
                        "Get urgent help the same day (call an ambulance if needed) if:\n\n"
                        "- you cannot control your bladder or bowels;\n"
                        "- you feel numb between the legs or around the bottom;\n"
                        "- the leg suddenly becomes very weak."
                    ),
                    "ru": (
                        "Обратитесь к врачу в ближайшее время, если:\n\n"
                        "- боль не проходит за несколько недель или усиливается;\n"
                        "- нога или стопа немеет либо нога слабеет.\n\n"
                        "Срочно, в тот же день, обращайтесь за помощью (при необходимости "
                        "вызовите скорую), если:\n\n"
                        "- вы не можете удержать мочу или стул;\n"
                        "- онемела кожа в промежности или вокруг ягодиц;\n"
                        "- нога внезапно сильно ослабла."
                    ),
                },
            },
        ],
    },
    # 5. Weekly 60-minute Swedish massage, 8 sessions (Perlman et al., PLoS One 2012).
    {
        "slug": "swedish-weekly-60",
        "name": {
            "en": "Knee arthrosis: Swedish massage, 60 min once a week",
            "ru": "Гонартроз: шведский массаж по 60 минут раз в неделю",
        },
        "description": {
            "en": (
                "The weekly 60-minute Swedish massage dose that did best in a randomized "
                "dose-finding trial in adults with knee osteoarthritis (Perlman et al., PLoS One "
                "2012): eight sessions of equal length, one a week. Full-leg routine, both legs, "
                "more time on the affected one; no tapotement; gentle on the joint itself."
            ),
            "ru": (
                "Дозировка, показавшая лучший результат в рандомизированном исследовании по "
                "подбору дозы у взрослых с остеоартритом коленного сустава (Perlman et al., PLoS "
                "One, 2012): шведский массаж по 60 минут раз в неделю, восемь сеансов одинаковой "
                "длительности. Массаж обеих ног целиком, больной ноге — больше времени; без "
                "поколачиваний; на сам сустав — мягко."
            ),
        },
        "method_style": "swedish",
        "conditions": ["knee_arthrosis"],
        "stages": [1, 2, 3],
        "start_minutes": 60,
        "step_minutes": 0,
        "target_minutes": 60,
        "min_sessions": 8,
        "max_sessions": 8,
        "default_sessions": 8,
        "cadence_days": 7,
        "break_months": 1,
        "postop_days": 21,
        "knee_sparing": False,
        "in_warm_water": False,
        "steps": [
            {
                "phase": "introductory",
                "body_area": {"en": "Back of both legs", "ru": "Задняя поверхность обеих ног"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Patient prone, a roll under the ankles. Effleurage: long gliding "
                        "strokes with oil from the heel to the buttock, gradually deepening."
                    ),
                    "ru": (
                        "Пациент лёжа на животе, валик под голеностопами. Эффлераж: длинные "
                        "скользящие поглаживания с маслом от пятки до ягодицы, постепенно "
                        "глубже."
                    ),
                },
                "repetitions": {"en": "about 5 min", "ru": "около 5 мин"},
            },
            {
                "phase": "introductory",
                "body_area": {
                    "en": "Calves and back of the thighs",
                    "ru": "Икры и задняя поверхность бёдер",
                },
                "technique": "kneading",
                "instruction": {
                    "en": (
                        "Petrissage: rhythmic kneading and lifting of the calf muscles and "
                        "hamstrings, moderate pressure."
                    ),
                    "ru": (
                        "Петриссаж: ритмичное разминание с захватом и приподниманием икроножных "
                        "мышц и задней группы мышц бедра, умеренный нажим."
                    ),
                },
                "repetitions": {"en": "about 10 min", "ru": "около 10 мин"},
            },
            {
                "phase": "introductory",
                "body_area": {
                    "en": "Buttocks and back of the thighs",
                    "ru": "Ягодицы и задняя поверхность бёдер",
                },
                "technique": "rubbing",
                "instruction": {
                    "en": "Friction with the heel of the hand and the thumbs over the gluteal "
                    "muscles and upper hamstrings.",
                    "ru": "Фрикция основанием ладони и большими пальцами по ягодичным мышцам и "
                    "верхней части задней поверхности бедра.",
                },
                "repetitions": {"en": "about 5 min", "ru": "около 5 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Front of both legs", "ru": "Передняя поверхность обеих ног"},
                "technique": "stroking",
                "instruction": {
                    "en": (
                        "Patient supine, a roll under the knees. Effleurage from the ankle to "
                        "the groin, passing lightly over the knee."
                    ),
                    "ru": (
                        "Пациент лёжа на спине, валик под коленями. Эффлераж от лодыжки до "
                        "паха, над коленом — легко."
                    ),
                },
                "repetitions": {"en": "about 5 min", "ru": "около 5 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Front of the thighs", "ru": "Передняя поверхность бёдер"},
                "technique": "kneading",
                "instruction": {
                    "en": "Petrissage of the quadriceps and the inner and outer thigh, working "
                    "up from just above the kneecap.",
                    "ru": "Петриссаж четырёхглавой мышцы, внутренней и наружной поверхности "
                    "бедра — снизу вверх, начиная чуть выше надколенника.",
                },
                "repetitions": {"en": "about 10 min", "ru": "около 10 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Lower legs", "ru": "Голени"},
                "technique": "kneading",
                "instruction": {
                    "en": "Petrissage of the shin muscles and the calves from the front, moderate "
                    "pressure.",
                    "ru": "Петриссаж мышц голени спереди и икр, умеренный нажим.",
                },
                "repetitions": {"en": "about 5 min", "ru": "около 5 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Around the knee", "ru": "Вокруг колена"},
                "technique": "rubbing",
                "instruction": {
                    "en": (
                        "Gentle circular friction with the fingertips around the kneecap and "
                        "along the joint line. No direct pressure on the kneecap; stop if it "
                        "hurts."
                    ),
                    "ru": (
                        "Мягкая круговая фрикция кончиками пальцев вокруг надколенника и по "
                        "линии суставной щели. Прямо на надколенник не давить; при боли — "
                        "прекратить."
                    ),
                },
                "repetitions": {"en": "about 5 min", "ru": "около 5 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Knee and hip", "ru": "Колено и тазобедренный сустав"},
                "technique": "passive_movement",
                "instruction": {
                    "en": (
                        "Gentle passive bending and straightening at the knee and hip, within the "
                        "comfortable range only; no forcing at the end of the range."
                    ),
                    "ru": (
                        "Мягкое пассивное сгибание и разгибание в коленном и тазобедренном "
                        "суставах, только в комфортном объёме, без дожима в конце амплитуды."
                    ),
                },
                "repetitions": {"en": "about 5 min", "ru": "около 5 мин"},
            },
            {
                "phase": "main",
                "body_area": {"en": "Feet and ankles", "ru": "Стопы и голеностопы"},
                "technique": "rubbing",
                "instruction": {
                    "en": "Friction around the ankles and over the soles with the thumbs.",
                    "ru": "Фрикция большими пальцами вокруг лодыжек и по подошвам.",
                },
                "repetitions": {"en": "about 5 min", "ru": "около 5 мин"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Both legs", "ru": "Обе ноги"},
                "technique": "stroking",
                "instruction": {
                    "en": "Slow, light effleurage from the feet to the groin.",
                    "ru": "Медленный лёгкий эффлераж от стоп до паха.",
                },
                "repetitions": {"en": "about 3 min", "ru": "около 3 мин"},
            },
            {
                "phase": "concluding",
                "body_area": {"en": "Both legs", "ru": "Обе ноги"},
                "technique": "shaking",
                "instruction": {
                    "en": "Gentle shaking of each leg to finish.",
                    "ru": "В завершение — мягкое потряхивание каждой ноги.",
                },
                "repetitions": {"en": "about 2 min", "ru": "около 2 мин"},
            },
        ],
        "handout_sections": [
            {
                "title": {"en": "During the session", "ru": "Во время сеанса"},
                "text": {
                    "en": (
                        "The therapist massages both legs from the feet to the hips, using oil "
                        "and long, smooth strokes. Around the knee the touch stays gentle. The "
                        "therapist will also slowly bend and straighten your knee and hip for "
                        "you.\n\n"
                        "If anything hurts, say so at once. The therapist will press more "
                        "lightly or leave that part out."
                    ),
                    "ru": (
                        "Массажист массирует обе ноги от стоп до бёдер с маслом, длинными "
                        "плавными движениями. Вокруг колена массажист работает только мягко. "
                        "Он также будет медленно сгибать и разгибать вашу ногу в колене и в "
                        "тазобедренном суставе.\n\n"
                        "Если что-то болит, сразу скажите. Массажист уменьшит нажим или "
                        "пропустит этот приём."
                    ),
                },
            },
            _KNEE_HONEY_RUB,
            _KNEE_STRETCHES,
            _KNEE_SWELLING,
        ],
    },
]
