//! The French sentence of every code: what happened and what to do next, for a pupil or a
//! parent. Vouvoiement, no jargon, a non-breaking space (U+00A0) before « : ; ! ? » and inside
//! « ». One arm per code: a new code without its words does not compile.

use super::ErrorCode;

/// A JSON body that stops being JSON at `line`, `column`: where, and why in plain words.
pub(super) fn unreadable_json(line: usize, column: usize, cut_short: bool) -> String {
    let why = if cut_short {
        "le texte s'arrête avant sa fin"
    } else {
        "un caractère n'est pas à sa place"
    };
    format!("Le corps JSON est invalide à la ligne {line}, colonne {column}\u{a0}: {why}.")
}

#[expect(clippy::too_many_lines, reason = "one sentence per code, nothing else")]
pub(super) fn sentence(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => {
            "Impossible de savoir qui vous êtes. Reconnectez-vous à votre ENT puis réessayez."
        }
        ErrorCode::TokenExpired => {
            "Votre session a expiré. Reconnectez-vous à votre ENT puis réessayez."
        }
        ErrorCode::Forbidden => {
            "Vous n'avez pas le droit de faire cela. Si vous pensez que c'est une erreur, \
             adressez-vous à votre établissement."
        }
        ErrorCode::NotFound => {
            "Cet élément est introuvable\u{a0}: il a peut-être été supprimé. Actualisez la page."
        }
        ErrorCode::RouteNotFound => {
            "Cette adresse ne mène à rien. Vérifiez-la ou revenez à la page d'accueil."
        }
        ErrorCode::MethodNotAllowed => {
            "Cette action n'est pas possible à cette adresse. Revenez à la page d'accueil et \
             recommencez."
        }
        ErrorCode::CorsRefused => {
            "Cette page n'est pas autorisée à appeler le service. Ouvrez-la depuis votre ENT."
        }
        ErrorCode::HeadersTooLarge => {
            "La demande portait trop d'informations pour être lue. Reconnectez-vous puis \
             recommencez."
        }
        ErrorCode::InvalidRequest => {
            "La demande n'a pas pu être comprise. Actualisez la page puis recommencez."
        }
        ErrorCode::InvalidName => {
            "Ce nom n'est pas accepté\u{a0}: il est vide, trop long ou contient un caractère \
             interdit. Choisissez-en un autre."
        }
        ErrorCode::InvalidId => {
            "Cet élément n'est pas reconnu. Actualisez la page puis recommencez."
        }
        ErrorCode::InvalidRange => {
            "Le téléchargement n'a pas pu reprendre là où il s'était arrêté. Relancez-le depuis le \
             début."
        }
        ErrorCode::RangeNotSatisfiable => {
            "Le téléchargement demandait une partie du fichier qui n'existe pas. Relancez-le \
             depuis le début."
        }
        ErrorCode::PayloadTooLarge => {
            "Le fichier dépasse la taille permise\u{a0}: il n'a pas été accepté. Réduisez sa \
             taille ou choisissez-en un plus petit."
        }
        ErrorCode::QuotaExceeded => {
            "Votre espace est plein, ou vous avez atteint le nombre d'éléments permis. Supprimez \
             ce dont vous n'avez plus besoin, puis réessayez."
        }
        ErrorCode::MissingFile => {
            "Aucun fichier n'a été envoyé. Choisissez un fichier puis réessayez."
        }
        ErrorCode::UnsupportedMediaType => {
            "Ce type de contenu n'est pas accepté ici. Envoyez le fichier depuis la page prévue \
             pour cela."
        }
        ErrorCode::FolderNotFound => {
            "Le dossier choisi n'existe plus. Actualisez la page et choisissez un autre dossier."
        }
        ErrorCode::NotAFolder => "L'élément choisi n'est pas un dossier. Choisissez un dossier.",
        ErrorCode::NotAFile => {
            "L'élément choisi est un dossier, pas un fichier. Choisissez un fichier."
        }
        ErrorCode::TooManyParts => {
            "L'envoi contient trop d'éléments à la fois. Envoyez un seul fichier à la fois."
        }
        ErrorCode::AlreadyShared => {
            "Ce document est déjà partagé avec cette personne. Vous n'avez rien d'autre à faire."
        }
        ErrorCode::CannotShareWithSelf => {
            "Vous ne pouvez pas partager un document avec vous-même. Choisissez une autre \
             personne."
        }
        ErrorCode::Conflict => {
            "L'élément a changé entre-temps. Actualisez la page puis recommencez."
        }
        ErrorCode::UnknownApp => {
            "Cette application n'existe pas sur votre ENT\u{a0}: ses données ne peuvent y être ni \
             exportées ni importées. Les autres applications ne sont pas concernées."
        }
        ErrorCode::InvalidFilter => {
            "Les critères choisis (formats, date) ne sont pas valables. Corrigez-les puis \
             réessayez."
        }
        ErrorCode::InvalidTable => {
            "Les colonnes ou le format choisis pour le tableau ne conviennent pas. Modifiez-les \
             puis réessayez."
        }
        ErrorCode::TemplateNameTaken => {
            "Vous avez déjà un modèle qui porte ce nom. Choisissez un autre nom."
        }
        ErrorCode::InvalidSchedule => {
            "Un export automatique a lieu tous les 1, 2, 3, 6 ou 12 mois, jusqu'à une date \
             d'ici un an au plus."
        }
        ErrorCode::TooManySchedules => {
            "Vous avez déjà autant d'exports automatiques que possible. Supprimez-en un avant \
             d'en créer un autre."
        }
        ErrorCode::ExportInProgress => {
            "Un export est déjà en préparation. Attendez qu'il soit prêt avant d'en demander un \
             autre."
        }
        ErrorCode::PartSizeOutOfRange => {
            "Cette taille de partie n'est pas proposée ici. Choisissez une taille entre la plus \
             petite et la plus grande que ce service accepte."
        }
        ErrorCode::DocumentsQuotaExceeded => {
            "Votre espace documentaire n'a pas assez de place pour cet export. Libérez de la \
             place, ou exportez sans le copier dans vos documents."
        }
        ErrorCode::ArchiveQuotaExceeded => {
            "Vos exports occupent déjà toute la place permise. Supprimez un ancien export puis \
             réessayez."
        }
        ErrorCode::NotReady => {
            "L'export n'est pas encore prêt. Attendez la fin de sa préparation puis réessayez."
        }
        ErrorCode::InvalidLink => {
            "Ce lien de téléchargement n'est pas valable ou a expiré. Demandez un nouveau lien \
             depuis la liste de vos exports."
        }
        ErrorCode::ExportExpired => {
            "Cet export a expiré et a été supprimé. Préparez-en un nouveau."
        }
        ErrorCode::LinkRevoked => {
            "Ce lien de téléchargement a été retiré par votre établissement. Demandez-lui un \
             nouveau lien."
        }
        ErrorCode::LeaveWindowClosed => {
            "Votre compte est fermé\u{a0}: vos données ne sont plus disponibles par ce lien."
        }
        ErrorCode::InvalidClosingDate => {
            "La date de fermeture du compte doit être à venir, et pas plus loin que la durée \
             permise par le service."
        }
        ErrorCode::ImportInProgress => {
            "Un import est déjà en cours. Attendez qu'il soit terminé avant d'en commencer un \
             autre."
        }
        ErrorCode::NotAZip => {
            "Ce fichier n'est pas une archive .zip. Choisissez le fichier .zip de vos données, tel \
             que vous l'avez téléchargé."
        }
        ErrorCode::NotAnalysed => {
            "L'archive est encore en cours de vérification. Attendez la fin de la vérification \
             puis réessayez."
        }
        ErrorCode::NotImportable => {
            "Certaines des applications choisies ne peuvent pas être importées depuis cette \
             archive. Retirez-les de votre choix puis réessayez."
        }
        ErrorCode::ImportRunning => {
            "Cet import est en cours\u{a0}: il ne peut pas être supprimé maintenant. Attendez \
             qu'il soit terminé."
        }
        ErrorCode::ImportTakesNoParts => {
            "Cet import n'attend plus de partie. Commencez un nouvel import avec les parties \
             de votre archive."
        }
        ErrorCode::RateLimited => {
            "Vous avez lancé beaucoup d'exports et d'imports en peu de temps. Patientez une minute \
             puis réessayez."
        }
        ErrorCode::Unavailable => {
            "Le service est momentanément indisponible. Réessayez dans quelques minutes."
        }
        ErrorCode::Internal => {
            "Un problème inattendu est survenu de notre côté. Réessayez plus tard\u{a0}; s'il se \
             reproduit, prévenez votre établissement."
        }
        ErrorCode::InsufficientStorage => {
            "L'espace de stockage du service est plein pour le moment. Réessayez plus tard\u{a0}; \
             si cela dure, prévenez votre établissement."
        }
        ErrorCode::TruncatedArchive => {
            "L'archive est incomplète\u{a0}: son téléchargement a sans doute été interrompu. \
             Téléchargez-la de nouveau puis réessayez."
        }
        ErrorCode::DamagedArchive => {
            "L'archive est abîmée et ne peut pas être lue. Téléchargez-la de nouveau puis \
             réessayez."
        }
        ErrorCode::PrefixedArchive => {
            "Ce fichier n'est pas une simple archive\u{a0}: il contient aussi un programme. \
             Choisissez l'archive .zip de vos données, telle que vous l'avez téléchargée."
        }
        ErrorCode::MultiDiskArchive => {
            "Cette archive est découpée en plusieurs morceaux, ce qui n'est pas accepté. \
             Téléchargez-la en un seul fichier puis réessayez."
        }
        ErrorCode::CentralDirectoryTooLarge => {
            "La liste des fichiers de l'archive est trop longue pour être lue. Importez vos \
             données en plusieurs archives plus petites."
        }
        ErrorCode::TooManyEntries => {
            "Il y a trop de fichiers\u{a0}: la limite permise est atteinte. Exportez ou importez \
             vos données en plusieurs fois, par exemple une application à la fois."
        }
        ErrorCode::UnsafePath => {
            "L'archive contient un fichier rangé à un emplacement dangereux\u{a0}: par prudence, \
             elle est refusée. Utilisez l'archive d'origine, sans la modifier."
        }
        ErrorCode::SymlinkEntry => {
            "L'archive contient des raccourcis vers d'autres fichiers, qui ne sont pas acceptés. \
             Utilisez l'archive d'origine, sans la modifier."
        }
        ErrorCode::EncryptedEntry => {
            "L'archive contient des fichiers protégés par un mot de passe. Enregistrez-la sans mot \
             de passe puis réessayez."
        }
        ErrorCode::UnsupportedCompression => {
            "L'archive a été compressée d'une façon que ce service ne sait pas lire. Recréez-la \
             avec l'outil de compression habituel de votre ordinateur puis réessayez."
        }
        ErrorCode::TotalSizeExceeded => {
            "Le contenu de l'archive dépasse la taille permise. Importez vos données en plusieurs \
             archives plus petites."
        }
        ErrorCode::CompressionRatioExceeded => {
            "Un fichier de l'archive grossirait démesurément une fois décompressé\u{a0}: par \
             prudence, l'archive est refusée. Utilisez l'archive d'origine."
        }
        ErrorCode::DuplicateEntry => {
            "Le même élément figure deux fois dans l'archive\u{a0}: il n'a pas pu être pris en \
             compte. Utilisez l'archive d'origine, sans la modifier."
        }
        ErrorCode::OverlappingEntries => {
            "Des fichiers de l'archive se chevauchent\u{a0}: elle a été modifiée ou abîmée. \
             Téléchargez-la de nouveau puis réessayez."
        }
        ErrorCode::HeaderMismatch => {
            "L'archive se contredit sur l'un de ses fichiers\u{a0}: elle est sans doute abîmée. \
             Téléchargez-la de nouveau puis réessayez."
        }
        ErrorCode::EntryCorrupt => {
            "Un fichier de l'archive est abîmé\u{a0}: son contenu n'est pas celui attendu. \
             Téléchargez l'archive de nouveau puis réessayez."
        }
        ErrorCode::ArchiveUnreadable => {
            "L'archive n'a pas pu être lue pour l'instant. Réessayez dans quelques minutes."
        }
        ErrorCode::UploadMissing => {
            "L'archive envoyée n'est plus disponible. Envoyez-la de nouveau."
        }
        ErrorCode::NotAnArchiveOfOurs => {
            "Cette archive ne contient pas de données exportées d'un ENT. Choisissez l'archive de \
             vos données, telle que votre ENT vous l'a fournie."
        }
        ErrorCode::InvalidManifest => {
            "La table des matières de l'archive est illisible\u{a0}: l'archive a été modifiée ou \
             abîmée. Utilisez l'archive d'origine, sans la modifier."
        }
        ErrorCode::UnsupportedFormat => {
            "Cette archive vient d'un service dont le format n'est pas pris en charge. Demandez à \
             votre établissement comment récupérer vos données."
        }
        ErrorCode::UnsupportedFormatVersion => {
            "Cette archive a été créée par une version du service que votre ENT ne sait pas lire. \
             Demandez conseil à votre établissement."
        }
        ErrorCode::ManifestSizeMismatch => {
            "Un fichier de l'archive n'a pas la taille annoncée\u{a0}: l'archive a été modifiée ou \
             abîmée. Téléchargez-la de nouveau puis réessayez."
        }
        ErrorCode::ManifestFileMissing => {
            "Il manque un fichier dans l'archive\u{a0}: elle a été modifiée ou abîmée. \
             Téléchargez-la de nouveau puis réessayez."
        }
        ErrorCode::FileNotInManifest => {
            "L'archive contient un fichier qui n'y était pas au départ\u{a0}: elle a été modifiée. \
             Utilisez l'archive d'origine, sans y ajouter de fichier."
        }
        ErrorCode::PartsMissing => {
            "Cette archive est en plusieurs parties et il en manque\u{a0}: envoyez toutes ses \
             parties dans le même import."
        }
        ErrorCode::PartOfAnotherExport => {
            "Ce fichier n'est pas une partie du même export que les précédentes. Choisissez les \
             parties téléchargées ensemble, depuis le même export."
        }
        ErrorCode::DuplicatePart => {
            "Cette partie a déjà été envoyée dans cet import. Envoyez les parties qui manquent."
        }
        ErrorCode::EntryTooLarge => {
            "Un fichier qui décrit le contenu de l'archive est trop volumineux pour être lu. \
             Importez vos données en plusieurs archives plus petites."
        }
        ErrorCode::InvalidMetadata => {
            "La description des documents de l'archive est illisible\u{a0}: l'archive a été \
             modifiée ou abîmée. Utilisez l'archive d'origine, sans la modifier."
        }
        ErrorCode::UnsignedArchive => {
            "Rien ne prouve d'où vient cette archive. N'importez que des archives que vous avez \
             vous-même téléchargées depuis votre ENT."
        }
        ErrorCode::UntrustedSignature => {
            "Cette archive vient d'un ENT que le vôtre ne reconnaît pas. Vérifiez qu'elle vient \
             bien de votre ancien établissement, ou demandez conseil au vôtre."
        }
        ErrorCode::InvalidSignature => {
            "L'archive a été modifiée ou abîmée depuis sa création\u{a0}: elle est refusée. \
             Téléchargez-la de nouveau depuis l'ENT qui l'a créée."
        }
        ErrorCode::UnverifiedOrigin => {
            "Cette archive vient d'un autre type d'ENT\u{a0}: ni son origine ni son contenu ne \
             peuvent être vérifiés. Importez-la seulement si vous l'avez téléchargée vous-même."
        }
        ErrorCode::TrustedKeysUnavailable => {
            "Votre ENT n'a pas pu obtenir les clés de l'ENT d'où vient l'archive pour vérifier \
             son origine\u{a0}: elle n'a pas été importée. Réessayez plus tard."
        }
        ErrorCode::UnlistedFiles => {
            "Certains fichiers de l'archive n'appartiennent à aucune application reconnue\u{a0}: \
             ils ne seront pas importés. Le reste peut l'être normalement."
        }
        ErrorCode::NewerVersion => {
            "Ces données viennent d'une version de l'application plus récente que celle de votre \
             ENT. Réessayez après la mise à jour de votre ENT."
        }
        ErrorCode::UnsupportedMajor => {
            "Ces données viennent d'une version de l'application trop différente pour être lues \
             ici. Demandez conseil à votre établissement."
        }
        ErrorCode::UnreadableVersion => {
            "On ne sait pas quelle version de l'application a créé ces données\u{a0}: elles ne \
             peuvent pas être importées. Les autres applications ne sont pas concernées."
        }
        ErrorCode::DuplicateApp => {
            "L'archive contient deux fois des données pour la même application\u{a0}: cette \
             partie-ci ne peut pas être importée, l'autre le peut."
        }
        ErrorCode::MissingRight => {
            "Vous n'avez pas accès à cette application sur votre ENT\u{a0}: ses données ne peuvent \
             pas être importées. Demandez l'accès à votre établissement si vous en avez besoin."
        }
        ErrorCode::OverQuota => {
            "Ces documents ne tiennent pas dans la place qui vous reste. Libérez de la place dans \
             vos documents puis réessayez."
        }
        ErrorCode::DatabaseUnavailable => {
            "Les données de cette application n'ont pas pu être lues\u{a0}: l'export est incomplet \
             pour elle. Préparez un nouvel export un peu plus tard."
        }
        ErrorCode::MetadataUnwritable => {
            "La description des documents n'a pas pu être écrite\u{a0}: l'export de cette \
             application est incomplet. Préparez un nouvel export un peu plus tard."
        }
        ErrorCode::ObjectMissing => {
            "Le contenu d'un fichier est introuvable\u{a0}: ce fichier manque, le reste a été \
             traité. Prévenez votre établissement s'il compte pour vous."
        }
        ErrorCode::ObjectMismatch => {
            "Le contenu d'un fichier n'était pas celui attendu\u{a0}: il a été gardé tel quel, le \
             reste a été traité. Vérifiez ce fichier dans l'archive."
        }
        ErrorCode::AppUnavailable => {
            "L'application n'a pas répondu\u{a0}: ses données n'ont pas été prises en compte. \
             Réessayez un peu plus tard."
        }
        ErrorCode::AppRefused => {
            "L'application a refusé la demande\u{a0}: ses données n'ont pas été prises en compte. \
             Si cela se reproduit, prévenez votre établissement."
        }
        ErrorCode::AppTimeout => {
            "L'application a mis trop de temps à répondre\u{a0}: ses données sont incomplètes ou \
             absentes. Réessayez un peu plus tard."
        }
        ErrorCode::TruncatedStream => {
            "L'application s'est arrêtée en cours de route\u{a0}: ses données sont incomplètes. \
             Préparez un nouvel export un peu plus tard."
        }
        ErrorCode::InvalidStream => {
            "L'application a envoyé des informations inutilisables\u{a0}: ses données sont \
             incomplètes. Si cela se reproduit, prévenez votre établissement."
        }
        ErrorCode::StreamTooLarge => {
            "L'application a envoyé plus de données que permis\u{a0}: ses données sont \
             incomplètes. Prévenez votre établissement."
        }
        ErrorCode::ForbiddenKey => {
            "L'application a désigné un fichier qui ne lui appartient pas\u{a0}: par sécurité, son \
             export s'est arrêté là. Prévenez votre établissement."
        }
        ErrorCode::InvalidAnswer => {
            "La réponse de l'application était illisible\u{a0}: on ne sait pas ce qui a été \
             importé. Vérifiez dans l'application, puis prévenez votre établissement si besoin."
        }
        ErrorCode::UnsupportedVersion => {
            "L'application a changé de version et ne sait plus lire ces données. Demandez conseil \
             à votre établissement."
        }
        ErrorCode::EntryUnreadable => {
            "Ce fichier de l'archive n'a pas pu être lu, ou il est trop volumineux\u{a0}: il n'a \
             pas été importé, le reste l'a été."
        }
        ErrorCode::InvalidJson => {
            "Ce fichier de l'archive est illisible\u{a0}: il n'a pas été importé. Utilisez \
             l'archive d'origine, sans la modifier."
        }
        ErrorCode::ChecksumMismatch => {
            "Ce fichier a été modifié ou abîmé depuis l'export\u{a0}: il n'a pas été importé. \
             Téléchargez l'archive de nouveau puis importez-la encore."
        }
        ErrorCode::InvalidPath => {
            "Ce fichier n'est pas rangé là où l'application l'attend\u{a0}: il n'a pas été \
             importé. Utilisez l'archive d'origine, sans la modifier."
        }
        ErrorCode::InvalidEntry => {
            "L'application n'a pas pu lire cet élément\u{a0}: il n'a pas été importé. Vérifiez-le \
             dans l'archive et recréez-le à la main si besoin."
        }
        ErrorCode::OrphanAttachment => {
            "Cette pièce jointe ne se rattache à aucun élément de l'archive\u{a0}: elle n'a pas \
             été importée. Ajoutez-la à la main si besoin."
        }
        ErrorCode::UnreadableOrigin => {
            "Cet élément vient d'un autre type d'ENT et l'application ne sait pas le lire\u{a0}: \
             il n'a pas été importé. Recréez-le à la main si besoin."
        }
        ErrorCode::TooManyAttachments => {
            "Cette pièce jointe dépasse le nombre que l'application accepte pour un même \
             élément\u{a0}: elle n'a pas été importée. Ajoutez-la à la main si besoin."
        }
        ErrorCode::ImportFailed => {
            "L'import a échoué après plusieurs essais. Réessayez plus tard\u{a0}; s'il échoue \
             encore, prévenez votre établissement."
        }
        ErrorCode::ImportStuck => {
            "L'import s'est interrompu et n'a pas pu reprendre. Envoyez l'archive de nouveau pour \
             recommencer."
        }
        ErrorCode::ImportCancelled => {
            "L'import a été arrêté à la demande d'un administrateur\u{a0}; ce qui était déjà \
             importé est conservé. Adressez-vous à votre établissement pour en savoir plus."
        }
        ErrorCode::NothingImportable => {
            "Aucune des applications choisies ne peut être importée depuis cette archive. Vérifiez \
             l'archive ou choisissez d'autres applications."
        }
        ErrorCode::UploadExpired => {
            "L'archive envoyée n'a pas été importée à temps et a été supprimée. Envoyez-la de \
             nouveau puis lancez l'import."
        }
        ErrorCode::ExportFailed => {
            "L'export a échoué après plusieurs essais. Préparez-en un nouveau un peu plus tard."
        }
        ErrorCode::ExportStuck => {
            "L'export s'est interrompu et n'a pas pu reprendre. Préparez-en un nouveau."
        }
    }
}

/// The sentence of a code this version does not know (a newer version's, a remote app's own).
pub(super) const UNKNOWN: &str = "Un problème est survenu. Réessayez plus tard\u{a0}; s'il se \
                                  reproduit, prévenez votre établissement en donnant le code \
                                  indiqué.";
