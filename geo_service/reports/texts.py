"""The report's fixed words in Swedish (default) and English."""

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Lägesbild inför EST-mötet",
        "meeting": "Möte",
        "footer": "EST-möte",
        "period": "Senaste period",
        "run": "Analyskörning",
        "generated": "Skapad",
        "map": "Karta: hotspotceller och prioriterade platser",
        "ranking": "Prioriterade platser",
        "rank": "Nr",
        "place": "Plats",
        "level": "Nivå",
        "score": "Poäng",
        "reason": "Skäl",
        "levels": "Nivåer: röd från {red} poäng, gul från {yellow} poäng, annars grön.",
        "trends": "Utveckling per kategori",
        "trend_chart": "Rapporter per period, hela kommunen",
        "reports": "rapporter",
        "changes": "Förändringar sedan förra mötet",
        "no_previous": "Ingen tidigare ögonblicksbild finns; jämförelsen görs från nästa möte.",
        "previous": "Jämfört med mötet",
        "status_new": "ny på listan",
        "status_up": "upp",
        "status_down": "ned",
        "status_same": "oförändrad",
        "status_gone": "borta från listan",
        "status_off_list": "ej på listan",
        "measures": "Åtgärder och uppföljning",
        "no_measures": "Inga pågående eller avslutade åtgärder att följa upp.",
        "measure": "Åtgärd",
        "status": "Status",
        "org": "Ansvarig",
        "dates": "Period",
        "followup": "Uppföljning",
        "clusters": "Ovanliga ansamlingar",
        "clusters_intro": (
            "Platser där det senaste har hänt klart mer än vanligt, enligt rumtidsskanningen. "
            "Larm betyder att slumpen ger en lika stark ansamling mer sällan än en gång om året."
        ),
        "clusters_none": "Skanningen larmar inte om någon ovanlig ansamling den här gången.",
        "cluster_window": "Tid",
        "cluster_events": "Rapporter (väntat)",
        "cluster_chance": "Slumpen",
        "cluster_places": "Berör",
        "calibration_text": (
            "Analysen görs på H3-celler med upplösning {resolution}{auto}. Tidstrenden bakom "
            "kategorierna testas på cellernas grannskap med korrektion för många test. Nya och "
            "sammanhängande hotspots räknas som bekräftade bara när de ligger i en ovanlig "
            "ansamling som skanningen larmar om; obekräftade visas som osäkra. Varje körning "
            "mäter sina egna falsklarm genom att blanda om tidpunkterna {runs} gånger: av en "
            "slump gav analysen i snitt {rate} förändringar per körning och {new} obekräftade "
            "nya hotspots."
        ),
        "calibration_auto": " (vald automatiskt: den finaste där slumpen ger färre än {limit} "
        "förändringar per körning)",
        "coverage": "Datatäckning",
        "source": "Källa",
        "events": "Händelser",
        "quarantined": "Olösta rader i karantän",
        "method": "Metod",
        "method_text": (
            "Platserna rangordnas med en poäng som är summan av listade komponenter: "
            "skadeviktade incidenter och observationer efter allvar den senaste perioden, "
            "förändringstestet (antal senaste perioden mot de {baseline} föregående; "
            "kvoten, exakt konfidensintervall och ensidigt p-värde), hotspotmönstret i "
            "platsens H3-celler (Getis-Ord Gi* och Mann-Kendall över perioderna), aktuella "
            "kluster, pågående åtgärder och trygghetsmätningens problemindex. Vikterna kan "
            "ändras per kommun. Uppföljningen av åtgärder jämför antalet före och efter på "
            "platsen med jämförelseplatser (kvot av kvoter med 95 % konfidensintervall)."
        ),
        "warnings": "Att tänka på",
        "caution_chance": (
            "En enskild förändring på kartan kan vara slumpen: se den som ett skäl att titta "
            "närmare, inte som ett bevis."
        ),
        "caution_data": "En del rapporter kunde inte räknas in; se metodavsnittet.",
        "page": "Sida",
        "of": "av",
        "frame": "Karta",
        "map_note": (
            "Numret på kartan är platsens nummer i tabellen. Ram A visar tätorten; platser "
            "längre bort har egna ramar (B, …), utritade på översiktskartan."
        ),
        "status_planned": "planerad",
        "status_ongoing": "pågår",
        "status_done": "klar",
        "status_cancelled": "avbruten",
    },
    "en": {
        "title": "Situation report for the EST meeting",
        "meeting": "Meeting",
        "footer": "EST meeting",
        "period": "Latest period",
        "run": "Analysis run",
        "generated": "Generated",
        "map": "Map: hot spot cells and ranked places",
        "ranking": "Ranked places",
        "rank": "No.",
        "place": "Place",
        "level": "Level",
        "score": "Score",
        "reason": "Reason",
        "levels": "Levels: red from {red} points, yellow from {yellow} points, otherwise green.",
        "trends": "Trends by category",
        "trend_chart": "Reports per period, whole municipality",
        "reports": "reports",
        "changes": "Changes since the last meeting",
        "no_previous": "No earlier snapshot exists; the comparison starts at the next meeting.",
        "previous": "Compared with the meeting of",
        "status_new": "new on the list",
        "status_up": "up",
        "status_down": "down",
        "status_same": "unchanged",
        "status_gone": "gone from the list",
        "status_off_list": "not on the list",
        "measures": "Measures and follow-up",
        "no_measures": "No ongoing or finished measures to follow up.",
        "measure": "Measure",
        "status": "Status",
        "org": "Responsible",
        "dates": "Dates",
        "followup": "Follow-up",
        "clusters": "Unusual clusters",
        "clusters_intro": (
            "Places where clearly more than usual has happened lately, by the space-time scan. "
            "An alarm means that chance gives a cluster as strong less often than once a year."
        ),
        "clusters_none": "The scan raises no alarm for an unusual cluster this time.",
        "cluster_window": "Time",
        "cluster_events": "Reports (expected)",
        "cluster_chance": "Chance",
        "cluster_places": "Touches",
        "calibration_text": (
            "The analysis uses H3 cells at resolution {resolution}{auto}. The trend behind the "
            "categories is tested on each cell's neighbourhood with a correction for many "
            "tests. New and consecutive hot spots count as confirmed only inside an unusual "
            "cluster that the scan raises an alarm for; unconfirmed ones are shown as uncertain. "
            "Every run measures its own false alarms by shuffling the times {runs} times: by "
            "chance the analysis gave on average {rate} changes per run and {new} unconfirmed "
            "new hot spots."
        ),
        "calibration_auto": " (chosen automatically: the finest where chance gives fewer than "
        "{limit} changes per run)",
        "coverage": "Data coverage",
        "source": "Source",
        "events": "Events",
        "quarantined": "Quarantined rows (unresolved)",
        "method": "Method",
        "method_text": (
            "Places are ranked by a score that is the sum of listed components: harm-weighted "
            "incidents and observations by severity in the latest period, the change test "
            "(the latest period against the {baseline} before; ratio, exact confidence "
            "interval and one-sided p-value), the emerging hot spot pattern of the place's H3 "
            "cells (Getis-Ord Gi* and Mann-Kendall over the periods), live clusters, open "
            "measures and the safety survey's problem index. The weights can be changed per "
            "municipality. Measure follow-up compares counts before and after at the place "
            "with comparison places (ratio of rate ratios with a 95% confidence interval)."
        ),
        "warnings": "Caveats",
        "caution_chance": (
            "A single change on the map may be chance: treat it as a reason to look closer, "
            "not as proof."
        ),
        "caution_data": "Some reports could not be counted; see the method note.",
        "page": "Page",
        "of": "of",
        "frame": "Map",
        "map_note": (
            "The number on the map is the place's number in the table. Frame A shows the town; "
            "places further away have frames of their own (B, …), outlined on the overview."
        ),
        "status_planned": "planned",
        "status_ongoing": "ongoing",
        "status_done": "done",
        "status_cancelled": "cancelled",
    },
}


def caution_sentence(warnings: list[dict], lang: str) -> str:
    """At most one plain sentence for the coordinator; the run's warnings go in the method note."""
    codes = {w.get("code") for w in warnings if isinstance(w, dict)}
    if not codes:
        return ""
    return TEXTS[lang]["caution_chance" if "chance_change_labels" in codes else "caution_data"]
