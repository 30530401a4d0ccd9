// The widget's words, per language. A store sets `lang` on the element (or the page's <html lang>).
export interface WidgetStrings {
  tryItOn: string;
  dialogTitle: string;
  close: string;
  choosePhoto: string;
  takePhoto: string;
  dropHint: string;
  photoHelp: string;
  consent: string;
  privacyLink: string;
  start: string;
  changePhoto: string;
  /** `ahead`: how many try-ons run before this one (0 = next). */
  queued: (ahead: number) => string;
  starting: string;
  progress: (step: number, total: number) => string;
  previewAlt: string;
  cancel: string;
  cancelled: string;
  resultAlt: string;
  beforeAfter: string;
  download: string;
  tryAgain: string;
  anotherProduct: string;
  errors: Record<WidgetErrorCode, string>;
  retry: string;
  chooseAnother: string;
}

export type WidgetErrorCode =
  | 'too_large'
  | 'not_an_image'
  | 'no_person'
  | 'several_people'
  | 'person_too_small'
  | 'person_cut_off'
  | 'busy'
  | 'unavailable'
  | 'cancelled'
  | 'network'
  | 'rate_limited'
  | 'consent_required'
  | 'unknown';

const en: WidgetStrings = {
  tryItOn: 'Try it on',
  dialogTitle: 'Try it on',
  close: 'Close',
  choosePhoto: 'Choose a photo',
  takePhoto: 'Take a photo',
  dropHint: 'or drop a photo here',
  photoHelp: 'A photo of yourself, standing, facing the camera. Your whole upper body (or whole body for trousers and dresses) should be visible.',
  consent: 'I agree that my photo is processed to show me this product. It is deleted within 24 hours.',
  privacyLink: 'How we handle your photo',
  start: 'Show me wearing it',
  changePhoto: 'Use another photo',
  queued: (ahead) => (ahead === 0 ? 'You are next…' : `Waiting — ${ahead} ahead of you…`),
  starting: 'Starting…',
  progress: (step, total) => `Creating your picture: step ${step} of ${total}`,
  previewAlt: 'Preview of your picture while it is being created',
  cancel: 'Cancel',
  cancelled: 'Cancelled. You can start again whenever you like.',
  resultAlt: 'You wearing this product',
  beforeAfter: 'Compare before and after',
  download: 'Download',
  tryAgain: 'Try again',
  anotherProduct: 'Try another product',
  errors: {
    too_large: 'This photo is too large. Please choose a photo under 25 MB.',
    not_an_image: 'This file is not a photo we can read. Please choose a JPEG, PNG or WebP photo.',
    no_person: 'We could not find a person in this photo. Please use a photo of yourself, standing and facing the camera.',
    several_people: 'There is more than one person in this photo. Please use a photo with only you in it.',
    person_too_small: 'You look too small in this photo. Please take it closer, so that you fill most of the picture.',
    person_cut_off: 'Part of you is outside this photo. Please step back so your whole upper body (or your whole body for trousers and dresses) is in the picture.',
    busy: 'We are very busy right now. Please try again in a moment.',
    unavailable: 'The fitting room is not available right now. Please try again later.',
    cancelled: 'Your try-on was stopped before your picture was ready. Please try again.',
    network: 'The connection was lost. Check your internet connection and try again.',
    rate_limited: 'You have made many try-ons in a short time. Please wait a minute and try again.',
    consent_required: 'Please agree to the processing of your photo first.',
    unknown: 'Something went wrong on our side. Please try again.',
  },
  retry: 'Try again',
  chooseAnother: 'Choose another photo',
};

const fr: WidgetStrings = {
  tryItOn: 'Essayer',
  dialogTitle: 'Essayer ce produit',
  close: 'Fermer',
  choosePhoto: 'Choisir une photo',
  takePhoto: 'Prendre une photo',
  dropHint: 'ou déposez une photo ici',
  photoHelp: 'Une photo de vous, debout, face à l’objectif. Le haut du corps (ou le corps entier pour les pantalons et robes) doit être visible.',
  consent: 'J’accepte que ma photo soit traitée pour me montrer ce produit. Elle est supprimée sous 24 heures.',
  privacyLink: 'Comment nous traitons votre photo',
  start: 'Me voir avec',
  changePhoto: 'Utiliser une autre photo',
  queued: (ahead) => (ahead === 0 ? 'Vous êtes le prochain…' : `En attente — ${ahead} avant vous…`),
  starting: 'Démarrage…',
  progress: (step, total) => `Création de votre image : étape ${step} sur ${total}`,
  previewAlt: 'Aperçu de votre image en cours de création',
  cancel: 'Annuler',
  cancelled: 'Annulé. Vous pouvez recommencer quand vous voulez.',
  resultAlt: 'Vous portant ce produit',
  beforeAfter: 'Comparer avant et après',
  download: 'Télécharger',
  tryAgain: 'Réessayer',
  anotherProduct: 'Essayer un autre produit',
  errors: {
    too_large: 'Cette photo est trop lourde. Choisissez une photo de moins de 25 Mo.',
    not_an_image: 'Ce fichier n’est pas une photo lisible. Choisissez une photo JPEG, PNG ou WebP.',
    no_person: 'Nous n’avons trouvé personne sur cette photo. Utilisez une photo de vous, debout et de face.',
    several_people: 'Il y a plusieurs personnes sur cette photo. Utilisez une photo où vous êtes seul(e).',
    person_too_small: 'Vous apparaissez trop petit(e) sur cette photo. Prenez-la de plus près, pour remplir l’essentiel de l’image.',
    person_cut_off: 'Une partie de vous sort du cadre. Reculez pour que tout le haut du corps (ou tout le corps pour les pantalons et robes) soit sur la photo.',
    busy: 'Nous sommes très sollicités. Réessayez dans un instant.',
    unavailable: 'La cabine d’essayage n’est pas disponible pour le moment. Réessayez plus tard.',
    cancelled: 'Votre essayage a été interrompu avant que votre image soit prête. Réessayez.',
    network: 'La connexion a été perdue. Vérifiez votre connexion et réessayez.',
    rate_limited: 'Vous avez fait beaucoup d’essais en peu de temps. Patientez une minute.',
    consent_required: 'Veuillez d’abord accepter le traitement de votre photo.',
    unknown: 'Un problème est survenu de notre côté. Veuillez réessayer.',
  },
  retry: 'Réessayer',
  chooseAnother: 'Choisir une autre photo',
};

const tables: Record<string, WidgetStrings> = { en, fr };

/** Picks the table for a BCP 47 tag ("fr-CA" → fr), falling back to English. */
export function stringsFor(lang: string | null | undefined): WidgetStrings {
  const primary = (lang ?? '').toLowerCase().split('-')[0];
  return tables[primary] ?? en;
}

export const supportedLanguages = Object.keys(tables);
