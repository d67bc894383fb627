// English: complete, key for key with es.ts (the type and a test enforce it).
import type { Catalogue } from './es';

export const en: Catalogue = {
  'app.name': 'Cachicamo',
  'nav.label': 'Main menu',
  'nav.pending': 'Pending Payments',
  'nav.customers': 'Customers',
  'nav.integrations': 'Integrations',
  'nav.settings': 'Settings',

  'notYet.title': 'Not available yet',
  'pending.notYet':
    'Your pending receivables will be listed here, with balances and due dates, and you will send payment reminders by email from here. This section arrives in an upcoming version; for now it stores no data.',
  'customers.notYet':
    'You will keep your customers here, with their email, phone and tax ID. This section arrives in an upcoming version; for now it stores no data.',
  'integrations.notYet':
    'You will set up the Email Service (Resend, Postmark or SMTP) that Cachicamo uses to send payment reminders here. This section arrives in an upcoming version.',

  'settings.language': 'Language',
  'settings.language.help': 'The change applies at once and is remembered the next time you open Cachicamo.',
  'settings.language.saved': 'Language saved.',
  'settings.about': 'About',
  'settings.version': 'Version {version}',

  'language.es': 'Español',
  'language.en': 'English',

  'blocked.title': 'Cachicamo cannot open your data',
  'error.details': 'Details',
  'error.database_too_new':
    'This data was saved by a newer version of Cachicamo. Install that version (or a later one) to open it; this version will not modify it.',
  'error.storage':
    'The data file could not be read or written. Check that the disk has free space and that the data folder is not write-protected.',
  'error.invalid_input': 'Check the highlighted field.',
  'error.internal': 'Something unexpected went wrong. Close and reopen Cachicamo; if it happens again, send the details to support.',
  'error.unreachable': 'Could not reach the Cachicamo core. Close and reopen the application.',
};
