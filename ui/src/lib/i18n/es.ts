// Español: the default language. The seed's labels are used verbatim (see shared/design/ui-copy.md).
export const es = {
  'app.name': 'Cachicamo',
  'nav.label': 'Menú principal',
  'nav.pending': 'Pagos Pendientes',
  'nav.customers': 'Clientes',
  'nav.integrations': 'Integraciones',
  'nav.settings': 'Ajustes',

  'notYet.title': 'Aún no disponible',
  'pending.notYet':
    'Aquí verá sus cuentas por cobrar pendientes, con sus saldos y vencimientos, y podrá enviar recordatorios de pago por email. Esta sección llega en una próxima versión; por ahora no guarda ningún dato.',
  'customers.notYet':
    'Aquí registrará a sus clientes con su correo electrónico, teléfono e identificación fiscal. Esta sección llega en una próxima versión; por ahora no guarda ningún dato.',
  'integrations.notYet':
    'Aquí configurará el Servicio de Email (Resend, Postmark o SMTP) con el que Cachicamo envía los recordatorios de pago. Esta sección llega en una próxima versión.',

  'settings.language': 'Idioma',
  'settings.language.help': 'El cambio se aplica de inmediato y se recuerda al volver a abrir Cachicamo.',
  'settings.language.saved': 'Idioma guardado.',
  'settings.about': 'Acerca de',
  'settings.version': 'Versión {version}',

  'language.es': 'Español',
  'language.en': 'English',

  'blocked.title': 'Cachicamo no puede abrir sus datos',
  'error.details': 'Detalles',
  'error.database_too_new':
    'Estos datos fueron guardados por una versión más reciente de Cachicamo. Instale esa versión (o una posterior) para abrirlos; esta versión no los modificará.',
  'error.storage':
    'No se pudo leer o guardar en el archivo de datos. Revise que el disco tenga espacio y que la carpeta de datos no esté protegida contra escritura.',
  'error.invalid_input': 'Revise el dato indicado.',
  'error.internal': 'Ocurrió un error inesperado. Cierre y vuelva a abrir Cachicamo; si se repite, envíe los detalles al soporte.',
  'error.unreachable': 'No se pudo comunicar con el núcleo de Cachicamo. Cierre y vuelva a abrir la aplicación.',
} as const;

export type MessageKey = keyof typeof es;
export type Catalogue = Record<MessageKey, string>;
