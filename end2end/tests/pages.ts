// Every page Loket has so far, with its Dutch and English heading.
export const PAGES = [
  { path: '/', nl: 'Overzicht', en: 'Overview' },
  { path: '/zaken', nl: 'Zaken', en: 'Cases' },
  // The demo's ZAAK-2026-0412, by its id.
  { path: '/zaken/demo-voorbeeld-zaak-1', nl: 'Zaken', en: 'Cases' },
  { path: '/contactmomenten', nl: 'Contactmomenten', en: 'Contact moments' },
  { path: '/afspraken', nl: 'Afspraken', en: 'Appointments' },
  { path: '/afspraak-maken', nl: 'Afspraak maken', en: 'Make an appointment' },
  // Any token shows the form; only the POST checks it.
  { path: '/afspraak/AbCdEfGhIjKlMnOpQrStUv', nl: 'Uw afspraak openen', en: 'Open your appointment' },
  { path: '/documenten', nl: 'Documenten', en: 'Documents' },
  { path: '/instellingen', nl: 'Instellingen', en: 'Settings' },
  { path: '/instellingen/berichten', nl: 'Berichten', en: 'Messages' },
  { path: '/medewerkers', nl: 'Medewerkers', en: 'Staff' },
  { path: '/medewerkers/inwoners/onbekend', nl: 'Medewerkers', en: 'Staff' },
  { path: '/medewerkers/inwoners/onbekend/afspraak-maken', nl: 'Medewerkers', en: 'Staff' },
  { path: '/medewerkers/berichten', nl: 'Berichten in bestanden', en: 'Messages in files' },
  { path: '/medewerkers/rapport', nl: 'Rapport', en: 'Report' },
  { path: '/medewerkers/vandaag', nl: 'Afspraken vandaag', en: 'Appointments today' },
  { path: '/medewerkers/inchecken', nl: 'Inchecken aan de balie', en: 'Check-in at the desk' },
  { path: '/beheer/medewerkers', nl: 'Medewerkers', en: 'Staff' },
  { path: '/inloggen', nl: 'Inloggen', en: 'Sign in' },
  { path: '/activeren', nl: 'Passkey maken met uw code', en: 'Create a passkey with your code' },
  { path: '/activiteit', nl: 'Activiteit', en: 'Activity' },
  { path: '/mijn-gegevens', nl: 'Mijn gegevens', en: 'My details' },
  { path: '/demo', nl: 'Demo: activeringscodes', en: 'Demo: activation codes' },
  { path: '/offline', nl: 'U bent offline', en: 'You are offline' },
  { path: '/bestaat-niet', nl: 'Deze pagina bestaat niet', en: 'This page does not exist' },
];

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
