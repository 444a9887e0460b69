"""Shorter handout texts in the default library, so that a 20-session course fits on two pages.

The "What happens in a session" sections (now "During the session") no longer repeat what the
handout's generated "What the sessions involve" section says (the ramp of session lengths, massage
before exercise therapy), and the knee home-care sections say the same in fewer words.

The library rows (no clinic) and every clinic's copies get the new text of a section only where
that text (or title) is still the old default word for word, English and Russian separately: a
text a clinic has edited is kept. Each template that changes gets a new version.

The old and new texts are frozen here rather than read from ``protocols/default_library.py``, so
this migration does the same thing whatever later changes that file.
"""

from django.db import migrations

NOTE = "Shorter handout texts (library update)"

# (field, language, old default text, new default text)
CHANGES = [
    ("title", "en", "What happens in a session", "During the session"),
    ("title", "ru", "Как проходит сеанс", "Во время сеанса"),
    (
        "text",
        "en",
        "The therapist starts with your lower back, then massages the thigh of the sore leg, and then works gently around the knee. They will also slowly bend and straighten the knee for you. You do not need to help: just let the leg relax.\n\nThe first sessions are short. Each one is a little longer than the one before, until they reach their full length.\n\nThe massage should feel pleasant, or at most a little uncomfortable. If anything hurts, say so at once. The therapist will press more lightly or leave that part out.\n\nIf you also do exercises with a physiotherapist, the massage comes just before them.",
        "Just let the leg relax, also while the therapist slowly bends and straightens the knee for you. The massage should feel pleasant, at most a little uncomfortable. If anything hurts, say so at once: the therapist will press more lightly or leave that part out.",
    ),
    (
        "text",
        "ru",
        "Массажист начинает с поясницы, затем массирует бедро больной ноги, а после этого бережно работает вокруг колена. Он также будет медленно сгибать и разгибать вашу ногу в колене. Помогать не нужно — просто расслабьте ногу.\n\nПервые сеансы короткие. Каждый следующий немного длиннее предыдущего, пока не достигнет полной продолжительности.\n\nМассаж должен быть приятным или, самое большее, слегка неприятным. Если что-то болит, сразу скажите. Массажист уменьшит нажим или пропустит этот приём.\n\nЕсли вы занимаетесь лечебной гимнастикой, массаж делают прямо перед занятием.",
        "Просто расслабьте ногу, даже когда массажист медленно сгибает и разгибает колено. Массаж должен быть приятным или чуть неприятным. Если что-то болит, сразу скажите: массажист уменьшит нажим или пропустит приём.",
    ),
    (
        "text",
        "en",
        "This is an old home remedy that many people find soothing.\n\n- First warm the knee for 15 to 20 minutes: in a warm bath, or with a hot water bottle wrapped in a towel.\n- Put about one tablespoon of honey in a small bowl and stand it in a pan of hot water until the honey turns runny. Do not let it boil or get very hot.\n- Check that the honey is only warm. Then rub it into the knee with gentle, slow movements for about 15 minutes.\n- Lay a layer of gauze over the knee and wrap a warm scarf around it. You can leave it like this overnight.\n\nSkip the honey rub if the knee is red, hot or swollen, if the skin has a cut or a rash, or if you are allergic to honey.",
        "- Warm the knee for 15 to 20 minutes: a warm bath, or a wrapped hot water bottle.\n- Melt a tablespoon of honey in a bowl over hot water. Do not let it boil.\n- Rub the warm, not hot, honey gently into the knee for about 15 minutes.\n- Cover with gauze and a warm scarf. It can stay on overnight.\n\nSkip the honey rub if the knee is red, hot or swollen, if the skin is broken or has a rash, or if you are allergic to honey.",
    ),
    (
        "text",
        "ru",
        "Это старое домашнее средство, которое многим приносит облегчение.\n\n- Сначала прогрейте колено 15–20 минут: в тёплой ванне или грелкой, обёрнутой полотенцем.\n- Положите примерно столовую ложку мёда в небольшую миску и поставьте её в кастрюлю с горячей водой (на водяную баню), пока мёд не станет жидким. Не доводите его до кипения и не перегревайте.\n- Убедитесь, что мёд лишь тёплый. Затем мягкими, медленными движениями втирайте его в колено около 15 минут.\n- Накройте колено кусочком марли и обмотайте тёплым шарфом. Так можно оставить на всю ночь.\n\nНе делайте растирание, если колено покраснело, горячее или отекло, если на коже есть ранка или сыпь, а также если у вас аллергия на мёд.",
        "- Прогрейте колено 15–20 минут: тёплой ванной или грелкой в полотенце.\n- Растопите ложку мёда на водяной бане, не доводя до кипения.\n- Мягко втирайте тёплый, не горячий мёд в колено около 15 минут.\n- Накройте марлей и тёплым шарфом. Так можно оставить на ночь.\n\nНе делайте растирание, если колено покраснело, горячее или отекло, если на коже ранка или сыпь, а также при аллергии на мёд.",
    ),
    ("title", "en", "Gentle stretches", "Gentle stretches instead of a rub"),
    ("title", "ru", "Мягкая растяжка", "Мягкая растяжка вместо растирания"),
    (
        "text",
        "en",
        "If rubbing the knee yourself feels too much, gentle stretching is a softer way to ease it.\n\n- Sit on a firm chair and rest your heel on a low stool, so the leg lies straight. Let the leg relax for a minute or two.\n- Lie on your back with a towel looped around your foot. Use the towel to slide the heel slowly towards you, bending the knee only as far as is comfortable. Hold for a few calm breaths, then let the leg straighten again.\n- Move slowly and smoothly. Do not bounce or push.\n\nIf it hurts, stop. A mild pulling feeling is fine; pain is not.\n\nPlease do not try to repeat the whole massage from your sessions at home. It takes proper training, and without it the knee can easily be made worse.",
        "- Sit on a firm chair, rest your heel on a low stool and let the straight leg relax for a minute or two.\n- Lie on your back, loop a towel round your foot and slowly draw the heel towards you, bending the knee only as far as is comfortable. Hold for a few breaths, then straighten the leg.\n- Move slowly, without bouncing or pushing.\n\nIf it hurts, stop: a mild pull is fine, pain is not. Do not repeat the massage of your sessions at home: without training it can make the knee worse.",
    ),
    (
        "text",
        "ru",
        "Если растирать колено самому слишком тяжело или больно, попробуйте более бережный способ — мягкую растяжку.\n\n- Сядьте на устойчивый стул и положите пятку на низкую скамеечку, чтобы нога была прямой. Дайте ноге расслабиться минуту-две.\n- Лягте на спину и накиньте полотенце петлёй на стопу. Потихоньку подтягивайте пятку к себе, сгибая колено лишь до тех пор, пока это комфортно. Задержитесь на несколько спокойных вдохов и дайте ноге снова выпрямиться.\n- Двигайтесь медленно и плавно, без рывков и усилия.\n\nЕсли больно, остановитесь. Лёгкое натяжение — это нормально, боль — нет.\n\nПожалуйста, не пытайтесь повторить дома весь массаж, который делают на сеансах. Для этого нужна подготовка, а без неё колену легко навредить.",
        "- Сидя, положите пятку на скамеечку и расслабьте ногу на 1–2 минуты.\n- Лёжа на спине, подтягивайте пятку к себе полотенцем на стопе, сгибая колено, пока это комфортно. Задержитесь на пару вдохов и выпрямите ногу.\n- Двигайтесь медленно, без рывков и усилия.\n\nЕсли больно, остановитесь: лёгкое натяжение — нормально, боль — нет. Не повторяйте дома массаж с сеансов: без подготовки можно навредить колену.",
    ),
    (
        "text",
        "en",
        "- Give the leg a rest. Avoid long walks and stairs for a day or two.\n- Lie down and raise the leg on a pillow, so the knee is higher than your hip.\n- Put ice or a cold pack wrapped in a thin towel on the knee for about 15 minutes. Never put ice straight on the skin. You can repeat this a few times a day.\n- An elastic bandage can help with swelling. It should feel snug but never tight, and your toes should stay warm and pink.\n\nIf the pain does not ease within a few days, or keeps coming back, see your doctor.",
        "- Rest the leg: no long walks or stairs for a day or two.\n- Lie with the leg on a pillow, the knee higher than your hip.\n- Cool the knee with ice in a thin towel for about 15 minutes, a few times a day. Never put ice straight on the skin.\n- An elastic bandage helps with swelling: snug, never tight. Your toes should stay warm and pink.\n\nIf the pain does not ease within a few days, or keeps coming back, see your doctor.",
    ),
    (
        "text",
        "ru",
        "- Дайте ноге отдых. День-два избегайте долгой ходьбы и лестниц.\n- Лягте и положите ногу на подушку так, чтобы колено было выше бедра.\n- Приложите к колену лёд или холодный пакет, завёрнутый в тонкое полотенце, примерно на 15 минут. Не кладите лёд прямо на кожу. Так можно делать несколько раз в день.\n- При отёке поможет эластичный бинт. Он должен плотно облегать колено, но не сдавливать его; пальцы ног должны оставаться тёплыми и розовыми.\n\nЕсли боль не проходит за несколько дней или возвращается снова и снова, обратитесь к врачу.",
        "- Дайте ноге отдых: день-два без долгой ходьбы и лестниц.\n- Лёжа, положите ногу на подушку, чтобы колено было выше бедра.\n- Лёд — через тонкое полотенце, не на голую кожу, по 15 минут.\n- При отёке поможет эластичный бинт: плотно, но не туго; пальцы ног должны оставаться тёплыми и розовыми.\n\nЕсли боль держится несколько дней или возвращается, обратитесь к врачу.",
    ),
    (
        "text",
        "en",
        "The therapist massages your lower back, buttock and thigh. Your sore knee is left alone, so nothing presses on it. Relaxed, warm muscles around the knee still help it hurt less.\n\nThe first sessions are short. Each one is a little longer than the one before, until they reach their full length.\n\nIf anything hurts, say so at once. The therapist will press more lightly or leave that part out.\n\nIf you also do exercises with a physiotherapist, the massage comes just before them.",
        "Warm, relaxed muscles around the knee help it hurt less. If anything hurts, say so at once: the therapist will press more lightly or leave that part out.",
    ),
    (
        "text",
        "ru",
        "Массажист массирует поясницу, ягодицу и бедро. Само колено не трогают, поэтому на больной сустав никто не давит. Расслабленные, согретые мышцы вокруг колена всё равно помогают уменьшить боль.\n\nПервые сеансы короткие. Каждый следующий немного длиннее предыдущего, пока не достигнет полной продолжительности.\n\nЕсли что-то болит, сразу скажите. Массажист уменьшит нажим или пропустит этот приём.\n\nЕсли вы занимаетесь лечебной гимнастикой, массаж делают прямо перед занятием.",
        "Согретые, расслабленные мышцы помогают колену меньше болеть. Если что-то болит, сразу скажите: массажист уменьшит нажим или пропустит приём.",
    ),
    (
        "text",
        "en",
        "The massage is light and calm. The therapist strokes your lower back, thigh and lower leg to help blood flow and to bring down swelling. The new joint and the scar are not pressed on.\n\nBefore each session the therapist will look at your legs. You will lie in a position that is safe for your new joint.\n\nThe first sessions are short. Each one is a little longer than the one before, until they reach their full length.\n\nIf anything hurts, say so at once, especially in the operated joint.",
        "The massage is light and calm. The therapist strokes your lower back, thigh and lower leg to help blood flow and to bring down swelling. The new joint and the scar are not pressed on.\n\nBefore each session the therapist will look at your legs. You will lie in a position that is safe for your new joint.\n\nIf anything hurts, say so at once, especially in the operated joint.",
    ),
    (
        "text",
        "ru",
        "Массаж лёгкий и спокойный. Массажист поглаживает поясницу, бедро и голень, чтобы улучшить кровоток и уменьшить отёк. На новый сустав и рубец не давят.\n\nПеред каждым сеансом массажист осмотрит ваши ноги. Вас уложат в положение, безопасное для нового сустава.\n\nПервые сеансы короткие. Каждый следующий немного длиннее предыдущего, пока не достигнет полной продолжительности.\n\nЕсли что-то болит, сразу скажите, особенно если боль в оперированном суставе.",
        "Массаж лёгкий и спокойный. Массажист поглаживает поясницу, бедро и голень, чтобы улучшить кровоток и уменьшить отёк. На новый сустав и рубец не давят.\n\nПеред каждым сеансом массажист осмотрит ваши ноги. Вас уложат в положение, безопасное для нового сустава.\n\nЕсли что-то болит, сразу скажите, особенно если боль в оперированном суставе.",
    ),
    (
        "text",
        "en",
        "The therapist massages your lower back, your buttock and the leg on the painful side, working slowly up from the ankle to the hip.\n\nThe first sessions are short. Each one is a little longer than the one before, until they reach their full length.\n\nTell the therapist at once if pain shoots down your leg, or if the leg tingles or goes numb. They will press more lightly or change the movement.",
        "The therapist massages your lower back, your buttock and the leg on the painful side, working slowly up from the ankle to the hip.\n\nTell the therapist at once if pain shoots down your leg, or if the leg tingles or goes numb. They will press more lightly or change the movement.",
    ),
    (
        "text",
        "ru",
        "Массажист массирует поясницу, ягодицу и ногу на стороне боли, медленно продвигаясь от лодыжки вверх к бедру.\n\nПервые сеансы короткие. Каждый следующий немного длиннее предыдущего, пока не достигнет полной продолжительности.\n\nСразу скажите массажисту, если боль простреливает в ногу или нога покалывает или немеет. Он уменьшит нажим или сменит приём.",
        "Массажист массирует поясницу, ягодицу и ногу на стороне боли, медленно продвигаясь от лодыжки вверх к бедру.\n\nСразу скажите массажисту, если боль простреливает в ногу или нога покалывает или немеет. Он уменьшит нажим или сменит приём.",
    ),
    (
        "text",
        "en",
        "You come once a week, and each session lasts about an hour. Every session is the same length.\n\nThe therapist massages both legs from the feet to the hips, using oil and long, smooth strokes. Around the knee the touch stays gentle. The therapist will also slowly bend and straighten your knee and hip for you.\n\nIf anything hurts, say so at once. The therapist will press more lightly or leave that part out.",
        "The therapist massages both legs from the feet to the hips, using oil and long, smooth strokes. Around the knee the touch stays gentle. The therapist will also slowly bend and straighten your knee and hip for you.\n\nIf anything hurts, say so at once. The therapist will press more lightly or leave that part out.",
    ),
    (
        "text",
        "ru",
        "Вы приходите раз в неделю, и каждый сеанс длится около часа. Все сеансы одинаковые по длительности.\n\nМассажист массирует обе ноги от стоп до бёдер с маслом, длинными плавными движениями. Вокруг колена массажист работает только мягко. Он также будет медленно сгибать и разгибать вашу ногу в колене и в тазобедренном суставе.\n\nЕсли что-то болит, сразу скажите. Массажист уменьшит нажим или пропустит этот приём.",
        "Массажист массирует обе ноги от стоп до бёдер с маслом, длинными плавными движениями. Вокруг колена массажист работает только мягко. Он также будет медленно сгибать и разгибать вашу ногу в колене и в тазобедренном суставе.\n\nЕсли что-то болит, сразу скажите. Массажист уменьшит нажим или пропустит этот приём.",
    ),
]

# What a version stores (``protocols.exchange.template_data`` as of this migration).
LANGUAGES = ("en", "ru")
TEMPLATE_TEXTS = ["name", "description"]
TEMPLATE_VALUES = [
    "method_style",
    "conditions",
    "stages",
    "start_minutes",
    "step_minutes",
    "target_minutes",
    "min_sessions",
    "max_sessions",
    "default_sessions",
    "cadence_days",
    "break_months",
    "postop_days",
    "knee_sparing",
    "in_warm_water",
    "active",
]
STEP_VALUES = ["phase", "technique"]
STEP_TEXTS = ["body_area", "instruction", "repetitions"]
SECTION_TEXTS = ["title", "text"]


def _column(field, language):
    return field if language == "en" else f"{field}_{language}"


def _translations(row, field):
    return {code: getattr(row, _column(field, code)) or "" for code in LANGUAGES}


def _template_data(template):
    return {
        "slug": template.slug,
        **{name: _translations(template, name) for name in TEMPLATE_TEXTS},
        **{
            name: list(value) if name in ("conditions", "stages") else value
            for name in TEMPLATE_VALUES
            for value in [getattr(template, name)]
        },
        "steps": [
            {
                **{name: getattr(step, name) for name in STEP_VALUES},
                **{name: _translations(step, name) for name in STEP_TEXTS},
            }
            for step in template.steps.order_by("order", "pk")
        ],
        "handout_sections": [
            {name: _translations(section, name) for name in SECTION_TEXTS}
            for section in template.handout_sections.order_by("order", "pk")
        ],
    }


def shorten_handout_texts(apps, schema_editor):
    section_model = apps.get_model("protocols", "HandoutSection")
    version_model = apps.get_model("protocols", "TemplateVersion")
    new_texts = {(field, language, old): new for field, language, old, new in CHANGES}
    changed_templates = set()
    for section in section_model.objects.select_related("template").order_by("pk"):
        changed = []
        for field in SECTION_TEXTS:
            for language in LANGUAGES:
                column = _column(field, language)
                new = new_texts.get((field, language, getattr(section, column)))
                if new is not None:
                    setattr(section, column, new)
                    changed.append(column)
        if changed:
            section.save(update_fields=changed)
            changed_templates.add(section.template)
    for template in sorted(changed_templates, key=lambda t: t.pk):
        latest = version_model.objects.filter(template=template).order_by("-number").first()
        data = _template_data(template)
        if latest is not None and latest.data == data:
            continue
        version_model.objects.create(
            template=template,
            number=latest.number + 1 if latest else 1,
            data=data,
            note=NOTE,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("protocols", "0008_course_version"),
    ]

    operations = [migrations.RunPython(shorten_handout_texts, migrations.RunPython.noop)]
