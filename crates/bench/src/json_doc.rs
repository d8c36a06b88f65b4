//! Corpus B's documents: JSON objects shaped like an ENT's application data (a lesson of a
//! class logbook with marks, comments and attachments), with French prose, repeated keys, ids
//! and numbers, so that they compress like real data rather than like noise or like padding.

use std::sync::LazyLock;

use anyhow::Result;
use serde_json::{Value, json};

use crate::rng::Rng;

const FIRST_NAMES: &[&str] = &[
    "Camille", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Gabriel", "Inès", "Jules", "Zoé",
    "Arthur", "Jade", "Raphaël", "Emma", "Noé", "Lina", "Éloïse", "Théo", "Maël", "Anaïs",
];
const LAST_NAMES: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
];
const SUBJECTS: &[(&str, &str)] = &[
    ("FR", "Français"),
    ("MATH", "Mathématiques"),
    ("HG", "Histoire-géographie"),
    ("SVT", "Sciences de la vie et de la Terre"),
    ("PC", "Physique-chimie"),
    ("ANG", "Anglais"),
    ("ESP", "Espagnol"),
    ("EPS", "Éducation physique et sportive"),
    ("TECH", "Technologie"),
    ("AP", "Arts plastiques"),
];
const CLASSES: &[&str] = &["6e A", "6e B", "5e A", "5e C", "4e B", "4e D", "3e A", "3e E"];
const TOPICS: &[&str] = &[
    "la Révolution française",
    "les fractions",
    "la photosynthèse",
    "le théorème de Pythagore",
    "la poésie du XIXe siècle",
    "les volcans",
    "la Première Guerre mondiale",
    "les équations du premier degré",
    "le cycle de l'eau",
    "la conjugaison du passé simple",
    "les climats de la Terre",
    "l'électricité",
];
const TAGS: &[&str] =
    &["révision", "contrôle", "devoir maison", "exposé", "sortie", "oral", "projet", "remédiation"];
const APPRECIATIONS: &[&str] = &[
    "Très bon travail, continuez ainsi.",
    "Bon travail, quelques erreurs d'inattention.",
    "Ensemble correct mais la rédaction doit être plus soignée.",
    "Des progrès, il faut persévérer.",
    "Travail insuffisant, les leçons ne sont pas apprises.",
    "Excellent devoir, raisonnement clair et rigoureux.",
    "Attention à l'orthographe et à la présentation.",
    "Résultats fragiles : revoir la méthode vue en classe.",
];
const ATTACHMENTS: &[(&str, &str)] = &[
    ("exercices.pdf", "application/pdf"),
    ("corrigé.pdf", "application/pdf"),
    ("schéma.png", "image/png"),
    ("carte.jpg", "image/jpeg"),
    ("fiche-méthode.odt", "application/vnd.oasis.opendocument.text"),
    ("diaporama.odp", "application/vnd.oasis.opendocument.presentation"),
];
/// Share of stock phrases in the prose, in percent.
const STOCK_PERCENT: usize = 70;
/// What a logbook says again and again; `#` stands for a number.
const STOCK_PHRASES: &[&str] = &[
    "Faire les exercices # et # page #.",
    "Apprendre la leçon pour la prochaine séance.",
    "Relire le chapitre # et compléter la fiche de révision.",
    "Correction des exercices donnés lors de la séance précédente.",
    "Contrôle de connaissances la semaine prochaine, sur les chapitres # et #.",
    "Rendre le devoir maison numéro # au plus tard jeudi.",
    "Lire les pages # à # du manuel et répondre aux questions.",
    "Apporter le matériel de géométrie : règle, équerre, compas.",
    "Travail en groupes de # élèves, restitution orale en fin d'heure.",
    "Les élèves absents doivent récupérer le cours sur l'ENT.",
    "Terminer l'activité # commencée en classe.",
    "Préparer un exposé de # minutes pour le # du mois.",
    "Vérifier les réponses avec le corrigé disponible dans l'espace documentaire.",
    "Revoir la méthode vue en classe avant de commencer l'exercice #.",
];
/// The prose vocabulary, roughly most frequent first (words are drawn with Zipf's law), one
/// string so that it reads as text; split once into [`WORDS`].
const VOCABULARY: &str = "\
    le la les un une des du de et ou mais donc car dans sur avec pour par sans sous entre vers \
    chez elle il nous vous ils élèves classe professeur leçon cours exercice cahier devoir \
    séance question réponse texte document carte schéma tableau chapitre partie page ligne \
    exemple méthode résultat calcul expérience hypothèse conclusion observation définition \
    propriété démonstration figure problème solution étape travail groupe oral écrit lecture \
    écriture récit personnage auteur siècle époque guerre paix roi république pays ville région \
    fleuve montagne climat énergie matière cellule plante animal eau air terre lumière nombre \
    fraction équation angle triangle cercle droite longueur surface volume vitesse temps mesure \
    unité est sont a ont fait font doit doivent peut peuvent va vont observer comparer expliquer \
    décrire justifier calculer rédiger relire compléter souligner recopier apprendre réviser \
    préparer présenter chercher trouver utiliser construire tracer vérifier important difficile \
    simple nouveau ancien grand petit premier dernier suivant précédent principal essentiel \
    attentivement ensuite enfin puis d'abord également toujours souvent parfois jamais très plus \
    moins bien ainsi aussi encore déjà demain lundi mardi jeudi vendredi semaine prochaine \
    contrôle note barème consigne brouillon";
static WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| VOCABULARY.split_ascii_whitespace().collect());

/// Share of a document (in percent of its size) given to structured records, the marks of the
/// class; the lesson text fills the rest. Real application data is mostly records: a document of
/// prose alone would compress worse than it, a document of records alone better.
const RECORDS_PERCENT: usize = STRUCTURED_SHARE;
const STRUCTURED_SHARE: usize = 60;
/// A class has at most this many pupils to mark.
const MAX_MARKS: usize = 32;

/// One document of about `target` bytes (compact JSON, UTF-8): the fixed fields, marks up to
/// their share of the size, then the lesson text grown to the size.
pub fn document(rng: &mut Rng, index: usize, target: usize) -> Result<Vec<u8>> {
    let mut doc = skeleton(rng, index);
    let mut len = serde_json::to_vec(&doc)?.len();
    let mut marks = Vec::new();
    while len < target * RECORDS_PERCENT / 100 && marks.len() < MAX_MARKS {
        let record = mark(rng);
        // The record and the comma before it.
        len += serde_json::to_vec(&record)?.len() + 1;
        marks.push(record);
    }
    doc["evaluations"] = Value::Array(marks);
    doc["contenu"] = Value::String(prose(rng, target.saturating_sub(len)));
    Ok(serde_json::to_vec(&doc)?)
}

fn skeleton(rng: &mut Rng, index: usize) -> Value {
    let (code, subject) = *rng.pick(SUBJECTS);
    let topic = *rng.pick(TOPICS);
    let day = rng.between(1, 28);
    let month = rng.between(1, 12);
    let hour = rng.between(8, 17);
    let created = format!("2026-{month:02}-{day:02}T{hour:02}:{:02}:00.000Z", rng.below(60));
    let comments: Vec<Value> = (0..rng.between(0, 3)).map(|_| comment(rng, &created)).collect();
    let attachments: Vec<Value> = (0..rng.between(0, 3)).map(|_| attachment(rng)).collect();
    let tags: Vec<&str> = (0..rng.between(0, 3)).map(|_| *rng.pick(TAGS)).collect();
    json!({
        "_id": rng.hex_id(24),
        "type": "cahier-de-textes.seance",
        "numero": index + 1,
        "titre": format!("Séance {} : {topic}", rng.between(1, 40)),
        "matiere": { "code": code, "libelle": subject },
        "classe": {
            "id": rng.hex_id(24),
            "nom": *rng.pick(CLASSES),
            "effectif": rng.between(18, 32),
        },
        "auteur": person(rng),
        "date_creation": created,
        "date_modification": created,
        "duree_minutes": *rng.pick(&[55, 55, 55, 110, 30]),
        "publie": rng.chance(80),
        "visible_parents": rng.chance(60),
        "tags": tags,
        "evaluations": [],
        "commentaires": comments,
        "pieces_jointes": attachments,
        "contenu": "",
    })
}

fn person(rng: &mut Rng) -> Value {
    json!({
        "id": rng.hex_id(24),
        "prenom": *rng.pick(FIRST_NAMES),
        "nom": *rng.pick(LAST_NAMES),
        "profil": "Teacher",
    })
}

fn mark(rng: &mut Rng) -> Value {
    // Marks out of 20 in half points, as French report cards have them.
    let halves = rng.between(8, 40);
    let value = if halves.is_multiple_of(2) {
        json!(halves / 2)
    } else {
        json!(f64::from(halves_u32(halves)) / 2.0)
    };
    json!({
        "eleve": {
            "id": rng.hex_id(24),
            "prenom": *rng.pick(FIRST_NAMES),
            "nom": *rng.pick(LAST_NAMES),
        },
        "note": value,
        "sur": 20,
        "coefficient": rng.between(1, 3),
        "absent": false,
        "appreciation": *rng.pick(APPRECIATIONS),
    })
}

fn halves_u32(halves: usize) -> u32 {
    u32::try_from(halves).unwrap_or(u32::MAX)
}

fn comment(rng: &mut Rng, date: &str) -> Value {
    let length = rng.between(40, 240);
    json!({
        "auteur": person(rng),
        "date": date,
        "texte": prose(rng, length),
    })
}

fn attachment(rng: &mut Rng) -> Value {
    let (name, content_type) = *rng.pick(ATTACHMENTS);
    json!({
        "id": rng.hex_id(24),
        "nom": name,
        "type": content_type,
        "taille": rng.between(20_000, 4_000_000),
    })
}

/// Sentences, at least `bytes` long: mostly the stock phrases a teacher writes again and
/// again (with a page or exercise number), the others free sentences of 6 to 18 words.
fn prose(rng: &mut Rng, bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 128);
    while text.len() < bytes {
        if !text.is_empty() {
            text.push(' ');
        }
        if rng.chance(STOCK_PERCENT) {
            stock_sentence(rng, &mut text);
        } else {
            free_sentence(rng, &mut text);
        }
    }
    text
}

fn stock_sentence(rng: &mut Rng, out: &mut String) {
    let phrase = *rng.pick(STOCK_PHRASES);
    let number = rng.between(2, 60).to_string();
    out.push_str(&phrase.replace('#', &number));
}

fn free_sentence(rng: &mut Rng, out: &mut String) {
    for i in 0..rng.between(6, 18) {
        let word = WORDS[rng.zipf(WORDS.len())];
        if i == 0 {
            capitalised(word, out);
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push('.');
}

fn capitalised(word: &str, out: &mut String) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_json_of_about_the_target_size() {
        let mut rng = Rng::new(3);
        for target in [500, 4_000, 12_000] {
            let bytes = document(&mut rng, 1, target).expect("serialises");
            let value: Value = serde_json::from_slice(&bytes).expect("valid JSON");
            assert_eq!(value["type"], "cahier-de-textes.seance");
            assert!(bytes.len() >= target, "{} < {target}", bytes.len());
            if target > 8_000 {
                // Grown by prose: over by less than one sentence.
                assert!(bytes.len() < target + 200, "{} ≫ {target}", bytes.len());
            }
        }
    }
}
