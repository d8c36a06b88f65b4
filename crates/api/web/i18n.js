// The page's words, French first; English when the browser prefers it. `{name}` is replaced by
// the parameter of that name. A message with forms (`{ one, other }`) is chosen by the number
// in `count` as the language's plural rules say: French says « 0 fichier », English "0 files".
// French typography is applied to the messages, not to what fills them: the space before
// « : ; ! ? % » and inside « » is made non-breaking, so a line never starts with a colon.
// The words of the service's failure codes come from the service itself (`codes.js`).

import { words } from "./codes.js";

const messages = {
  fr: {
    "skip": "Aller au contenu",
    "app.title": "Mes données",
    "app.signedAs": "Connecté en tant que {name}",
    "tabs.label": "Mes données",
    "tabs.export": "Exporter",
    "tabs.import": "Importer",
    "signedOut.title": "Reconnectez-vous à votre ENT",
    "signedOut.body": "Cette page s'ouvre depuis votre ENT, qui lui transmet votre connexion. Ouvrez « Mes données » depuis le menu de votre ENT.",
    "signedOut.link": "Aller sur mon ENT",
    "signedOut.dev": "Sur une installation de démonstration, ouvrez l'adresse que le service affiche au démarrage, ou celle que donne « mesdonnees token --user ID ».",
    "signedOut.expired": "Votre session a expiré : c'est normal après un moment sans activité.",
    "signedOut.invalid": "Votre connexion n'a pas pu être vérifiée.",
    "bell.label": "Notifications",
    "bell.unread": { one: "{count} non lue", other: "{count} non lues" },
    "bell.title": "Notifications",
    "bell.empty": "Aucune notification pour le moment.",
    "bell.download": "Télécharger",
    "bell.report": "Voir le rapport",
    "bell.deleted": "Cet export a été supprimé : il ne peut plus être téléchargé.",
    "bell.expired": "Cet export a expiré : il ne peut plus être téléchargé. Préparez-en un nouveau.",
    "bell.close": "Fermer",
    "bell.exportReady": "Votre export « {name} » est prêt",
    "bell.exportReadyPartial": "Votre export « {name} » est prêt, mais incomplet",
    "bell.exportFailed": "Votre export « {name} » a échoué",
    "bell.importDone": "L'import de « {name} » est terminé",
    "bell.importDoneErrors": {
      one: "L'import de « {name} » est terminé, avec {count} erreur",
      other: "L'import de « {name} » est terminé, avec {count} erreurs",
    },
    "bell.importFailed": "L'import de « {name} » a échoué",
    "bell.leaverNotice": "Votre compte ferme le {date} : téléchargez votre archive avant cette date.",
    "bell.leaverReminder": "Plus que {count} jours pour télécharger votre archive : votre compte ferme le {date}.",
    "bell.leaverLastDay": "Dernier jour pour télécharger votre archive : votre compte ferme le {date}.",
    "bell.scheduleRefused": "L'export automatique du {date} n'a pas été fait :",
    "bell.showExports": "Voir mes exports",
    "export.title": "Télécharger mes données",
    "export.intro": "Choisissez les applications : vous recevrez une archive .zip avec vos documents dans leur format d'origine et les données de chaque application.",
    "export.apps": "Applications à exporter",
    "export.appInfo": "version {version}",
    "export.canCreate": "vous pouvez y créer du contenu",
    "export.cannotCreate": "lecture seule pour vous",
    "export.noApp": "Choisissez au moins une application.",
    "export.kind": "Que voulez-vous recevoir ?",
    "export.kind.archive": "Une archive .zip de tout le contenu",
    "export.kind.table": "Un tableau qui le liste",
    "export.format": "Format du tableau",
    "export.columns": "Colonnes du tableau",
    "export.noColumn": "Choisissez au moins une colonne.",
    "column.name": "Nom",
    "column.path": "Chemin",
    "column.app": "Application",
    "column.type": "Type",
    "column.size": "Taille",
    "column.sha256": "Empreinte SHA-256",
    "column.owner": "Propriétaire",
    "column.shared_by": "Partagé par",
    "column.created": "Créé le",
    "column.modified": "Modifié le",
    "templates.title": "Mes modèles",
    "templates.empty": "Aucun modèle : enregistrez votre choix pour le retrouver la prochaine fois.",
    "templates.pick": "Modèle",
    "templates.use": "Remplir avec ce modèle",
    "templates.rename": "Renommer",
    "templates.delete": "Supprimer",
    "templates.save": "Enregistrer ce choix comme modèle",
    "templates.askName": "Nom du modèle :",
    "templates.askRename": "Nouveau nom du modèle :",
    "templates.badName": "Un nom de modèle a de 1 à {max} caractères.",
    "templates.noneChosen": "Choisissez d'abord un modèle.",
    "templates.saved": "Le modèle « {name} » est enregistré.",
    "templates.applied": "Le formulaire est rempli avec le modèle « {name} ».",
    "templates.renamed": "Le modèle s'appelle maintenant « {name} ».",
    "templates.deleted": "Le modèle « {name} » est supprimé.",
    "templates.confirmDelete": "Supprimer le modèle « {name} » ?",
    "export.estimate": { one: "Environ {count} fichier, soit {size}.", other: "Environ {count} fichiers, soit {size}." },
    "export.estimateTable": { one: "Un tableau d'environ {count} ligne, soit {size}.", other: "Un tableau d'environ {count} lignes, soit {size}." },
    "export.appRows": { one: "{count} ligne", other: "{count} lignes" },
    "export.appSizeUnknown": "taille connue seulement à l'export",
    "export.unestimated": "Sans compter : {apps}, dont la taille n'est connue qu'à l'export.",
    "export.estimating": "Calcul de la taille…",
    "export.overQuota": "C'est plus que la place qui vous reste pour vos exports (vous occupez déjà {used} sur {quota}) : supprimez d'anciens exports.",
    "export.filters": "Seulement certains documents (facultatif)",
    "export.formatsHint": "Aucun format coché : tous les formats.",
    "export.since": "Modifiés depuis le",
    "format.image": "Images",
    "format.video": "Vidéos",
    "format.audio": "Sons",
    "format.text": "Textes",
    "format.pdf": "PDF",
    "format.office": "Bureautique (traitement de texte, tableur, présentation)",
    "format.archive": "Archives compressées",
    "format.other": "Autres formats",
    "export.folders": "Seulement certains dossiers (facultatif)",
    "export.foldersHint": "Aucun dossier coché : tous vos documents, et ceux que d'autres partagent avec vous. Un dossier coché emporte ses sous-dossiers ; les documents partagés avec vous n'en font pas partie.",
    "export.foldersToggle": "Choisir des dossiers",
    "export.foldersNone": "Vous n'avez pas encore de dossier dans vos documents.",
    "export.foldersMore": { one: "Seul le premier dossier est proposé ici.", other: "Seuls les {count} premiers dossiers sont proposés ici." },
    "export.foldersChosen": { one: "Dossier choisi : {folders}.", other: "Dossiers choisis : {folders}." },
    "export.deliver": "Enregistrer aussi l'archive dans mes documents (dossier « Mes exports »)",
    "export.deliverTable": "Enregistrer aussi le tableau dans mes documents (dossier « Mes exports »)",
    "schedule.title": "Exports automatiques",
    "schedule.intro": "Faites préparer de nouveau le choix ci-dessus à intervalles réguliers, pendant un an au plus. Chaque nouvel export arrive dans « Mes exports » et dans vos notifications, et remplace le précédent.",
    "schedule.period": "Fréquence",
    "schedule.untilLabel": "Jusqu'au",
    "schedule.submit": "Préparer cet export automatiquement",
    "schedule.empty": "Aucun export automatique pour le moment.",
    "schedule.every": { one: "tous les mois", other: "tous les {count} mois" },
    "schedule.yearly": "tous les ans",
    "schedule.line": "Export automatique : {period}, prochain le {date}",
    "schedule.over": "Export automatique : {period}, terminé. Prolongez-le pour le reprendre.",
    "schedule.until": "Jusqu'au {date}",
    "schedule.renew": "Prolonger d'un an",
    "schedule.delete": "Supprimer",
    "schedule.confirmRenew": "Prolonger cet export automatique jusqu'au {date} ?",
    "schedule.confirmDelete": "Supprimer cet export automatique ({what}) ? Les exports déjà préparés restent.",
    "schedule.created": "L'export automatique est enregistré : {period}.",
    "schedule.renewed": "L'export automatique est prolongé jusqu'au {date}.",
    "schedule.deleted": "L'export automatique est supprimé.",
    "schedule.noDate": "Choisissez jusqu'à quelle date.",
    "export.name": "Nom de l'export (facultatif)",
    "export.namePlaceholder": "Mes données du {date}",
    "export.notify": "M'avertir par e-mail quand c'est prêt",
    "export.email": "Adresse e-mail",
    "export.submit": "Préparer mon archive",
    "export.submitTable": "Préparer mon tableau",
    "export.sending": "Envoi de la demande…",
    "export.building": "Préparation de « {name} »",
    "export.leave": "Vous pouvez quitter cette page : quand l'export sera prêt, vous trouverez le lien dans vos notifications.",
    "export.progress": "Fichiers : {files} sur {filesTotal} · {bytes} sur {bytesTotal}",
    "export.progressOpen": "Fichiers : {files} · {bytes}",
    "export.queued": "En attente de démarrage…",
    "export.readyNow": "L'export « {name} » est prêt.",
    "export.downloadNamed": "Télécharger « {name} » ({size})",
    "export.reused": "Un export identique venait d'être demandé : le voici.",
    "export.failedNow": "L'export « {name} » a échoué. {reason}",
    "export.incomplete": "Incomplet : {apps}",
    "export.list": "Mes exports",
    "export.listEmpty": "Vous n'avez pas encore d'export.",
    "export.col.content": "Contenu",
    "export.kindArchive": "Archive .{format}",
    "export.kindTable": "Tableau .{format}",
    "export.cancel": "Annuler",
    "export.cancelCurrent": "Annuler la préparation",
    "export.confirmCancel": "Arrêter la préparation de « {name} » ? Ce qui est déjà préparé sera perdu.",
    "export.cancelled": "La préparation de « {name} » est annulée.",
    "export.listTitle": "Mes exports",
    "export.col.name": "Nom",
    "export.col.created": "Demandé le",
    "export.col.status": "État",
    "export.col.size": "Taille",
    "export.col.expires": "Disponible jusqu'au",
    "export.col.actions": "Actions",
    "export.download": "Télécharger",
    "export.preview": "Aperçu",
    "export.delete": "Supprimer",
    "export.confirmDelete": "Supprimer l'export « {name} » ? Il ne pourra plus être téléchargé.",
    "export.deleted": "L'export « {name} » est supprimé.",
    "export.previewTitle": "Contenu de « {name} »",
    "export.previewCount": { one: "{count} fichier", other: "{count} fichiers" },
    "export.previewMore": { one: "… et {count} autre fichier", other: "… et {count} autres fichiers" },
    "status.queued": "En attente",
    "status.running": "En cours ({percent} %)",
    "status.runningOpen": "En cours",
    "status.ready": "Prêt",
    "status.failed": "Échec",
    "status.expired": "Expiré",
    "status.cancelled": "Annulé",
    "import.title": "Importer une archive",
    "import.intro": "Importez une archive « Mes données » (de cet ENT ou d'un autre) dans votre compte. Rien n'est écrasé : les documents arrivent dans un nouveau dossier.",
    "import.drop": "Déposez ici une archive .zip",
    "import.or": "ou",
    "import.browse": "Parcourir…",
    "import.uploading": "Envoi de « {name} » : {done} sur {total}",
    "import.uploadedPercent": "Envoi de « {name} » : {percent} %",
    "import.cancelUpload": "Annuler l'envoi",
    "import.uploadCancelled": "L'envoi de « {name} » est annulé.",
    "import.fileRefused": "« {name} » : {reason}",
    "import.library": "Importer une archive déjà dans mes documents",
    "import.libraryEmpty": "Aucune archive .zip dans vos documents ni dans ceux partagés avec vous.",
    "import.libraryMore": { one: "Seule la plus récente est proposée ici.", other: "Seules les {count} plus récentes sont proposées ici." },
    "import.fromDocument": "Importer « {name} »",
    "import.analysing": "Lecture de l'archive…",
    "import.analysis": "Contenu de l'archive",
    "import.summary": {
      one: "Archive du {date}, de {owner} : {count} fichier, {size}.",
      other: "Archive du {date}, de {owner} : {count} fichiers, {size}.",
    },
    "import.col.choose": "Importer",
    "import.col.app": "Application",
    "import.col.archiveVersion": "Version de l'archive",
    "import.col.currentVersion": "Version ici",
    "import.col.verdict": "Peut-on l'importer ?",
    "import.col.size": "Taille",
    "import.importable": "Oui",
    "import.chooseApp": "Importer {app}",
    "import.noneImportable": "Aucune application de cette archive ne peut être importée ici.",
    "import.noneChosen": "Cochez au moins une application.",
    "import.launch": "Importer",
    "import.another": "Importer une autre archive",
    "import.running": "Import en cours. Fichiers : {files} sur {filesTotal} · {bytes} sur {bytesTotal}",
    "import.queued": "L'import va commencer…",
    "import.report": "Rapport d'import",
    "import.failed": "L'import a échoué. {reason}",
    "import.files": { one: "fichier importé", other: "fichiers importés" },
    "import.folders": { one: "dossier créé", other: "dossiers créés" },
    "import.filesLine": { one: "{count} fichier importé", other: "{count} fichiers importés" },
    "import.foldersLine": { one: "{count} dossier créé", other: "{count} dossiers créés" },
    "import.renamed": { one: "renommé (doublon)", other: "renommés (doublons)" },
    "import.skipped": { one: "ignoré", other: "ignorés" },
    "import.errors": { one: "erreur", other: "erreurs" },
    "import.folder": "Dans le dossier « {folder} »",
    "import.errorList": "Éléments non importés",
    "import.appError": "Cette application n'a rien pu importer. {reason}",
    "import.incomplete": "Archive incomplète pour cette application. {reason}",
    "entries": { one: "{count} fichier", other: "{count} fichiers" },
    "signature.valid": "Archive signée par {instance} : son origine est vérifiée.",
    "signature.unsigned": "Cette archive n'est pas signée : son origine n'est pas vérifiée.",
    "signature.untrusted": "Cette archive est signée par une clé inconnue ici : son origine n'est pas vérifiée.",
    "signature.invalid": "La signature de cette archive est invalide : elle a pu être modifiée.",
    "signature.unverified": "L'origine de cette archive ne peut pas être vérifiée.",
    "error.title": "Une erreur est survenue",
    "error.network": "Le service ne répond pas. Vérifiez votre connexion et réessayez.",
    "error.request": "Si cela se reproduit, donnez cette référence à votre établissement : {id}",
  },
  en: {
    "skip": "Skip to content",
    "app.title": "My data",
    "app.signedAs": "Signed in as {name}",
    "tabs.label": "My data",
    "tabs.export": "Export",
    "tabs.import": "Import",
    "signedOut.title": "Sign in to your ENT again",
    "signedOut.body": "This page opens from your ENT, which hands it your sign-in. Open “My data” from your ENT's menu.",
    "signedOut.link": "Go to my ENT",
    "signedOut.dev": "On a demonstration install, open the address the service prints when it starts, or the one “mesdonnees token --user ID” prints.",
    "signedOut.expired": "Your session has expired: this is normal after a while without activity.",
    "signedOut.invalid": "Your sign-in could not be checked.",
    "bell.label": "Notifications",
    "bell.unread": { one: "{count} unread", other: "{count} unread" },
    "bell.title": "Notifications",
    "bell.empty": "No notifications yet.",
    "bell.download": "Download",
    "bell.report": "See the report",
    "bell.deleted": "This export was deleted: it can no longer be downloaded.",
    "bell.expired": "This export has expired: it can no longer be downloaded. Prepare a new one.",
    "bell.close": "Close",
    "bell.exportReady": "Your export “{name}” is ready",
    "bell.exportReadyPartial": "Your export “{name}” is ready, but incomplete",
    "bell.exportFailed": "Your export “{name}” failed",
    "bell.importDone": "The import of “{name}” is done",
    "bell.importDoneErrors": {
      one: "The import of “{name}” is done, with {count} error",
      other: "The import of “{name}” is done, with {count} errors",
    },
    "bell.importFailed": "The import of “{name}” failed",
    "bell.leaverNotice": "Your account closes on {date}: download your archive before then.",
    "bell.leaverReminder": "{count} days left to download your archive: your account closes on {date}.",
    "bell.leaverLastDay": "Last day to download your archive: your account closes on {date}.",
    "bell.scheduleRefused": "The automatic export of {date} was not made:",
    "bell.showExports": "See my exports",
    "export.title": "Download my data",
    "export.intro": "Choose the apps: you will get a .zip archive with your documents in their original format and each app's data.",
    "export.apps": "Apps to export",
    "export.appInfo": "version {version}",
    "export.canCreate": "you can create content there",
    "export.cannotCreate": "read-only for you",
    "export.noApp": "Choose at least one app.",
    "export.kind": "What would you like to get?",
    "export.kind.archive": "A .zip archive of all the content",
    "export.kind.table": "A table listing it",
    "export.format": "Table format",
    "export.columns": "Table columns",
    "export.noColumn": "Choose at least one column.",
    "column.name": "Name",
    "column.path": "Path",
    "column.app": "App",
    "column.type": "Type",
    "column.size": "Size",
    "column.sha256": "SHA-256 checksum",
    "column.owner": "Owner",
    "column.shared_by": "Shared by",
    "column.created": "Created on",
    "column.modified": "Changed on",
    "templates.title": "My templates",
    "templates.empty": "No template yet: save your choice to find it again next time.",
    "templates.pick": "Template",
    "templates.use": "Fill in with this template",
    "templates.rename": "Rename",
    "templates.delete": "Delete",
    "templates.save": "Save this choice as a template",
    "templates.askName": "Name of the template:",
    "templates.askRename": "New name of the template:",
    "templates.badName": "A template name has 1 to {max} characters.",
    "templates.noneChosen": "Choose a template first.",
    "templates.saved": "The template “{name}” is saved.",
    "templates.applied": "The form is filled in with the template “{name}”.",
    "templates.renamed": "The template is now called “{name}”.",
    "templates.deleted": "The template “{name}” is deleted.",
    "templates.confirmDelete": "Delete the template “{name}”?",
    "export.estimate": { one: "About {count} file, {size} in all.", other: "About {count} files, {size} in all." },
    "export.estimateTable": { one: "A table of about {count} row, {size} in all.", other: "A table of about {count} rows, {size} in all." },
    "export.appRows": { one: "{count} row", other: "{count} rows" },
    "export.appSizeUnknown": "size known only as it exports",
    "export.unestimated": "Not counting {apps}, whose size is known only as it exports.",
    "export.estimating": "Estimating the size…",
    "export.overQuota": "That is more than the room left for your exports (you already use {used} of {quota}): delete older exports.",
    "export.filters": "Only some documents (optional)",
    "export.formatsHint": "No format ticked: every format.",
    "export.since": "Changed since",
    "format.image": "Images",
    "format.video": "Videos",
    "format.audio": "Audio",
    "format.text": "Text",
    "format.pdf": "PDF",
    "format.office": "Office (word processing, spreadsheets, slides)",
    "format.archive": "Compressed archives",
    "format.other": "Other formats",
    "export.folders": "Only some folders (optional)",
    "export.foldersHint": "No folder ticked: all your documents, and those others share with you. A ticked folder takes its sub-folders with it; documents shared with you are not part of it.",
    "export.foldersToggle": "Choose folders",
    "export.foldersNone": "You have no folder in your documents yet.",
    "export.foldersMore": { one: "Only the first folder is offered here.", other: "Only the first {count} folders are offered here." },
    "export.foldersChosen": { one: "Chosen folder: {folders}.", other: "Chosen folders: {folders}." },
    "export.deliver": "Also save the archive in my documents (folder “Mes exports”)",
    "export.deliverTable": "Also save the table in my documents (folder “Mes exports”)",
    "schedule.title": "Automatic exports",
    "schedule.intro": "Have the choice above prepared again at regular intervals, for a year at most. Each new export arrives in “My exports” and in your notifications, and replaces the previous one.",
    "schedule.period": "How often",
    "schedule.untilLabel": "Until",
    "schedule.submit": "Prepare this export automatically",
    "schedule.empty": "No automatic export yet.",
    "schedule.every": { one: "every month", other: "every {count} months" },
    "schedule.yearly": "every year",
    "schedule.line": "Automatic export: {period}, next on {date}",
    "schedule.over": "Automatic export: {period}, over. Renew it to start it again.",
    "schedule.until": "Until {date}",
    "schedule.renew": "Renew for a year",
    "schedule.delete": "Delete",
    "schedule.confirmRenew": "Renew this automatic export until {date}?",
    "schedule.confirmDelete": "Delete this automatic export ({what})? The exports already prepared stay.",
    "schedule.created": "The automatic export is saved: {period}.",
    "schedule.renewed": "The automatic export is renewed until {date}.",
    "schedule.deleted": "The automatic export is deleted.",
    "schedule.noDate": "Choose until which date.",
    "export.name": "Name of the export (optional)",
    "export.namePlaceholder": "My data of {date}",
    "export.notify": "Send me an e-mail when it is ready",
    "export.email": "E-mail address",
    "export.submit": "Prepare my archive",
    "export.submitTable": "Prepare my table",
    "export.sending": "Sending the request…",
    "export.building": "Preparing “{name}”",
    "export.leave": "You may leave this page: when the export is ready, you will find its link in your notifications.",
    "export.progress": "Files: {files} of {filesTotal} · {bytes} of {bytesTotal}",
    "export.progressOpen": "Files: {files} · {bytes}",
    "export.queued": "Waiting to start…",
    "export.readyNow": "The export “{name}” is ready.",
    "export.downloadNamed": "Download “{name}” ({size})",
    "export.reused": "An identical export was just asked for: here it is.",
    "export.failedNow": "The export “{name}” failed. {reason}",
    "export.incomplete": "Incomplete: {apps}",
    "export.list": "My exports",
    "export.listEmpty": "You have no export yet.",
    "export.col.content": "Content",
    "export.kindArchive": "Archive .{format}",
    "export.kindTable": "Table .{format}",
    "export.cancel": "Cancel",
    "export.cancelCurrent": "Cancel the preparation",
    "export.confirmCancel": "Stop preparing “{name}”? What is already prepared will be lost.",
    "export.cancelled": "The preparation of “{name}” is cancelled.",
    "export.listTitle": "My exports",
    "export.col.name": "Name",
    "export.col.created": "Asked on",
    "export.col.status": "Status",
    "export.col.size": "Size",
    "export.col.expires": "Available until",
    "export.col.actions": "Actions",
    "export.download": "Download",
    "export.preview": "Preview",
    "export.delete": "Delete",
    "export.confirmDelete": "Delete the export “{name}”? It will no longer be downloadable.",
    "export.deleted": "The export “{name}” is deleted.",
    "export.previewTitle": "Content of “{name}”",
    "export.previewCount": { one: "{count} file", other: "{count} files" },
    "export.previewMore": { one: "… and {count} more file", other: "… and {count} more files" },
    "status.queued": "Queued",
    "status.running": "Running ({percent} %)",
    "status.runningOpen": "Running",
    "status.ready": "Ready",
    "status.failed": "Failed",
    "status.expired": "Expired",
    "status.cancelled": "Cancelled",
    "import.title": "Import an archive",
    "import.intro": "Import a “My data” archive (from this ENT or another) into your account. Nothing is overwritten: documents arrive in a new folder.",
    "import.drop": "Drop a .zip archive here",
    "import.or": "or",
    "import.browse": "Browse…",
    "import.uploading": "Sending “{name}”: {done} of {total}",
    "import.uploadedPercent": "Sending “{name}”: {percent}%",
    "import.cancelUpload": "Cancel the upload",
    "import.uploadCancelled": "The upload of “{name}” is cancelled.",
    "import.fileRefused": "“{name}”: {reason}",
    "import.library": "Import an archive already in my documents",
    "import.libraryEmpty": "No .zip archive in your documents or in those shared with you.",
    "import.libraryMore": { one: "Only the most recent one is offered here.", other: "Only the {count} most recent are offered here." },
    "import.fromDocument": "Import “{name}”",
    "import.analysing": "Reading the archive…",
    "import.analysis": "What the archive holds",
    "import.summary": {
      one: "Archive of {date}, from {owner}: {count} file, {size}.",
      other: "Archive of {date}, from {owner}: {count} files, {size}.",
    },
    "import.col.choose": "Import",
    "import.col.app": "App",
    "import.col.archiveVersion": "Archive version",
    "import.col.currentVersion": "Version here",
    "import.col.verdict": "Can it be imported?",
    "import.col.size": "Size",
    "import.importable": "Yes",
    "import.chooseApp": "Import {app}",
    "import.noneImportable": "No app of this archive can be imported here.",
    "import.noneChosen": "Tick at least one app.",
    "import.launch": "Import",
    "import.another": "Import another archive",
    "import.running": "Importing. Files: {files} of {filesTotal} · {bytes} of {bytesTotal}",
    "import.queued": "The import is about to start…",
    "import.report": "Import report",
    "import.failed": "The import failed. {reason}",
    "import.files": { one: "file imported", other: "files imported" },
    "import.folders": { one: "folder created", other: "folders created" },
    "import.filesLine": { one: "{count} file imported", other: "{count} files imported" },
    "import.foldersLine": { one: "{count} folder created", other: "{count} folders created" },
    "import.renamed": { one: "renamed (duplicate)", other: "renamed (duplicates)" },
    "import.skipped": { one: "skipped", other: "skipped" },
    "import.errors": { one: "error", other: "errors" },
    "import.folder": "In the folder “{folder}”",
    "import.errorList": "Items not imported",
    "import.appError": "This app could not import anything. {reason}",
    "import.incomplete": "The archive is incomplete for this app. {reason}",
    "entries": { one: "{count} file", other: "{count} files" },
    "signature.valid": "Archive signed by {instance}: its origin is verified.",
    "signature.unsigned": "This archive is not signed: its origin is not verified.",
    "signature.untrusted": "This archive is signed by a key unknown here: its origin is not verified.",
    "signature.invalid": "This archive's signature is invalid: it may have been changed.",
    "signature.unverified": "The origin of this archive cannot be verified.",
    "error.title": "Something went wrong",
    "error.network": "The service does not answer. Check your connection and try again.",
    "error.request": "If it happens again, give this reference to your school: {id}",
  },
};

/** The first of the browser's languages the page speaks; French otherwise. */
function pick() {
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || "fr"];
  for (const tag of wanted) {
    const base = tag.toLowerCase().split("-")[0];
    if (base in messages) return base;
  }
  return "fr";
}

export const lang = pick();

const plurals = new Intl.PluralRules(lang);

/** French spacing: a non-breaking space where a line must not break. */
function typeset(text) {
  if (lang !== "fr") return text;
  return text.replace(/ ([:;!?%»])/g, "\u00a0$1").replace(/« /g, "«\u00a0");
}

/** The message `key` in the page's language, its `{params}` filled in; `count` is a number. */
export function t(key, params = {}) {
  let text = messages[lang][key] ?? messages.fr[key] ?? key;
  if (typeof text === "object") text = text[plurals.select(Number(params.count) || 0)] ?? text.other;
  return typeset(text).replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    return name === "count" ? formatNumber(params.count) : String(params[name]);
  });
}

/** What a failure code means and what to do, in the page's language, as the service says it. */
export function failure(code) {
  const table = words[lang] ?? words.fr;
  return table[code] ?? table[""];
}

/** Translates the static page: `data-i18n` sets the text, `data-i18n-label` the aria-label. */
export function translatePage(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
  document.title = t("app.title");
}

const bytesUnits = { fr: ["octet", "Ko", "Mo", "Go", "To"], en: ["byte", "KB", "MB", "GB", "TB"] };
const bytesPlural = { fr: "octets", en: "bytes" };

/** Bytes for people, in powers of 1,000 as file managers show them. */
export function formatBytes(n) {
  const units = bytesUnits[lang];
  let value = Number(n) || 0;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const name = unit === 0 && plurals.select(value) !== "one" ? bytesPlural[lang] : units[unit];
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value)}\u00a0${name}`;
}

/** A date as the service writes it too (`Lang::date_time`): « 7 décembre 2026 à 01 h 06 »,
 * "7 December 2026 at 01:06"; in the browser's time zone. */
export function formatDate(iso, withTime = true) {
  if (!iso) return "—";
  const at = iso instanceof Date ? iso : new Date(iso);
  const options = { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  const part = Object.fromEntries(
    new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", options).formatToParts(at).map((p) => [p.type, p.value]),
  );
  const day = `${part.day} ${part.month} ${part.year}`;
  if (!withTime) return day;
  return lang === "fr" ? `${day} à ${part.hour}\u00a0h\u00a0${part.minute}` : `${day} at ${part.hour}:${part.minute}`;
}

/** A day the service names (`YYYY-MM-DD`, already on the ENT's clock), as `formatDate` writes
 * it without the time: read as it is, never moved into the browser's time zone. */
export function formatDay(day) {
  const [year, month, date] = String(day).split("-").map(Number);
  const at = new Date(Date.UTC(year, month - 1, date));
  if (Number.isNaN(at.getTime())) return "—";
  const options = { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };
  return new Intl.DateTimeFormat(lang === "fr" ? "fr-FR" : "en-GB", options).format(at);
}

/** A name the user gave, quoted as the page's language does: « Cours », “Cours”. */
export function quoted(name) {
  return lang === "fr" ? `«\u00a0${name}\u00a0»` : `“${name}”`;
}

export function formatNumber(n) {
  return new Intl.NumberFormat(lang).format(Number(n) || 0);
}
