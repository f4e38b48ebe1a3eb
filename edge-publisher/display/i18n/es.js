// @ts-check
/** Spanish (default): the original Helen's language. Keys are shared with en.js (a test checks). */
export default {
  'page.loading': 'Cargando', 'page.home': 'Inicio', 'page.clock': 'Reloj', 'page.weather': 'Clima',
  'page.devices': 'Dispositivos', 'page.settings': 'Ajustes', 'page.tutorial': 'Tutorial',

  'sign.Start': 'Start', 'sign.Clima': 'Clima', 'sign.Foco': 'Foco', 'sign.Ajustes': 'Ajustes', 'sign.Inicio': 'Inicio',
  'sign.Dispositivos': 'Dispositivos', 'sign.Reloj': 'Reloj', 'sign.Wifi': 'Wifi', 'sign.Alarma': 'Alarma',
  'sign.Tutorial': 'Tutorial', 'sign.Anterior': 'Anterior', 'sign.Agregar': 'Agregar',

  'common.loading': 'Cargando…', 'common.retry': 'Reintentar', 'common.cancel': 'Cancelar', 'common.back': 'Atrás',
  'common.on': 'Sí', 'common.off': 'No', 'common.yes': 'sí', 'common.no': 'no', 'common.sign': 'seña «{sign}»',

  'loading.state': 'Conectando con Helen…', 'loading.events': 'Esperando las señas…', 'loading.ready': 'Listo',
  'loading.retry': 'Sin respuesta ({error}); reintentando…',

  'header.idle': 'Haz «{start}» para activar', 'header.armed': 'Activo · {s} s',
  'header.connected': 'Conectado', 'header.disconnected': 'Sin conexión con las señas',

  'age.now': 'ahora mismo', 'age.minutes': 'hace {n} min', 'age.hours': 'hace {n} h', 'age.days': 'hace {n} días',
  'in.minutes': 'en {m} min', 'in.hoursMinutes': 'en {h} h {m} min',

  'home.nextAlarm': 'Próxima alarma', 'home.noAlarms': 'Sin alarmas',

  'clock.alarms': 'Alarmas', 'clock.timer': 'Temporizador', 'clock.stopwatch': 'Cronómetro',
  'clock.hintTabs': '«{reloj}» cambia de pestaña · «{agregar}» añade',
  'clock.nextAlarm': 'Próxima: {time} ({in})', 'clock.add': 'Alarma', 'clock.newAlarm': 'Nueva alarma',
  'clock.alarmEntryHint': 'Haz 4 dígitos: hora y minutos (HHMM)', 'clock.newTimer': 'Nuevo temporizador',
  'clock.timerEntryHint': 'Haz 4 dígitos: minutos y segundos (MMSS)', 'clock.setTimer': 'Temporizador',
  'clock.toggleAlarm': 'Activar o desactivar', 'clock.deleteAlarm': 'Borrar alarma',
  'clock.alarmHowTo': 'Con la pantalla activa, haz «{alarma}», luego «{agregar}» y la hora con 4 dígitos.',
  'clock.timerHowTo': '«{agregar}» y 4 dígitos (MMSS) inician una cuenta atrás.',
  'clock.stopwatchHowTo': '«{agregar}» inicia y detiene el cronómetro.',
  'clock.start': 'Iniciar', 'clock.stop': 'Detener', 'clock.reset': 'Poner a cero',

  'ringing.alarm': 'Alarma', 'ringing.timer': 'Temporizador', 'ringing.timerDone': 'Tiempo terminado',
  'ringing.stop': 'Parar', 'ringing.hint': 'Haz cualquier seña o toca la pantalla para parar',

  'weather.updated': 'Actualizado {age}', 'weather.stale': 'Sin conexión · datos de {age}',
  'weather.offline': 'Clima sin conexión', 'weather.unavailable': 'El clima no está disponible',
  'weather.notConfigured': 'El clima no está configurado', 'weather.wind': 'Viento {speed} km/h',
  'weather.rainChance': 'Lluvia {p} %',

  'wmo.clear': 'Despejado', 'wmo.mainlyClear': 'Casi despejado', 'wmo.partlyCloudy': 'Parcialmente nublado',
  'wmo.overcast': 'Nublado', 'wmo.fog': 'Niebla', 'wmo.rimeFog': 'Niebla helada', 'wmo.drizzleLight': 'Llovizna ligera',
  'wmo.drizzle': 'Llovizna', 'wmo.drizzleDense': 'Llovizna intensa', 'wmo.freezingDrizzle': 'Llovizna helada',
  'wmo.rainLight': 'Lluvia ligera', 'wmo.rain': 'Lluvia', 'wmo.rainHeavy': 'Lluvia fuerte', 'wmo.freezingRain': 'Lluvia helada',
  'wmo.snowLight': 'Nieve ligera', 'wmo.snow': 'Nieve', 'wmo.snowHeavy': 'Nevada fuerte', 'wmo.snowGrains': 'Granos de nieve',
  'wmo.showersLight': 'Chubascos ligeros', 'wmo.showers': 'Chubascos', 'wmo.showersViolent': 'Chubascos fuertes',
  'wmo.snowShowers': 'Chubascos de nieve', 'wmo.thunderstorm': 'Tormenta', 'wmo.thunderstormHail': 'Tormenta con granizo',
  'wmo.unknown': 'Tiempo desconocido',

  'devices.notConfigured': 'Home Assistant no está configurado',
  'devices.setEnv': 'Define estas dos variables en el edge y reinícialo:',
  'devices.urlExample': '— p. ej. http://homeassistant.local:8123', 'devices.tokenExample': '— token de larga duración',
  'devices.error': 'No se pudo hablar con Home Assistant', 'devices.none': 'No hay luces ni enchufes',
  'devices.hint': 'Haz el número de un dispositivo para encenderlo o apagarlo · «{foco}»: la primera luz',
  'state.on': 'encendido', 'state.off': 'apagado', 'state.open': 'abierto', 'state.closed': 'cerrado',
  'state.unavailable': 'no disponible', 'state.undefined': '¿?',

  'settings.tab.general': 'General', 'settings.tab.wifi': 'Wi-Fi', 'settings.tab.help': 'Ayuda', 'settings.tab.info': 'Información',
  'settings.language': 'Idioma', 'settings.handedness': 'Mano', 'settings.right': 'Diestra', 'settings.left': 'Zurda',
  'settings.sensitivity': 'Sensibilidad', 'settings.strict': 'Estricta', 'settings.normal': 'Normal', 'settings.sensitive': 'Sensible',
  'settings.preview': 'Vista de la mano', 'settings.clock': 'Reloj',
  'settings.hint': 'Activa la pantalla y haz el número de una opción para cambiarla; «Agregar» pasa a la siguiente sección.',

  'net.connected': 'conectado', 'net.disconnected': 'desconectado', 'net.connecting': 'conectando', 'net.unavailable': 'no disponible',
  'wifi.status': '{device}: {state} · red «{ssid}»', 'wifi.rescan': 'Buscar redes', 'wifi.open': 'abierta',
  'wifi.connecting': 'Conectando…', 'wifi.connected': 'conectada', 'wifi.connect': 'Conectar',
  'wifi.passwordFor': 'Contraseña de «{ssid}»', 'wifi.none': 'No se ven redes Wi-Fi',
  'wifi.unavailable': 'Wi-Fi no disponible', 'wifi.unavailableHint': 'Helen usa NetworkManager (nmcli) para el Wi-Fi.',
  'wifi.hint': 'Haz el número de una red abierta o ya conocida para conectarte; con teclado, toca una red con contraseña.',

  'help.intro': 'Primero haz «{start}»: la pantalla queda activa 6 s (anillo de color) y cada seña aceptada renueva el tiempo. Sin activar, una seña solo muestra el anillo rojo.',
  'help.start': 'Activa la pantalla 6 s', 'help.inicio': 'Pantalla de inicio', 'help.clima': 'El tiempo',
  'help.reloj': 'Reloj; en el reloj, siguiente pestaña', 'help.alarma': 'Alarmas',
  'help.dispositivos': 'Luces y enchufes', 'help.foco': 'Enciende o apaga la primera luz', 'help.ajustes': 'Ajustes',
  'help.wifi': 'Ajustes de Wi-Fi', 'help.tutorial': 'Aprende las señas', 'help.anterior': 'Volver a la pantalla anterior',
  'help.agregar': 'Nueva alarma o temporizador; inicia/detiene el cronómetro; siguiente sección o seña',
  'help.digits': 'Hora de la alarma (HHMM), temporizador (MMSS), número de dispositivo u opción',
  'help.count': '{n} señas en total',

  'info.version': 'Versión', 'info.model': 'Modelo', 'info.device': 'Dispositivo', 'info.mode': 'Modo',
  'info.broker': 'Broker', 'info.workers': 'Servidores de inferencia', 'info.servedBy': 'Inferencia en',
  'info.fallback': 'Modo local de respaldo', 'info.sensitivity': 'Sensibilidad', 'info.node': 'Node.js', 'info.uptime': 'En marcha',

  'tutorial.pick': 'Elige una seña (o «{agregar}» para la siguiente)', 'tutorial.watch': 'Mira la seña «{sign}»',
  'tutorial.yourTurn': 'Ahora tú: haz «{sign}» ({s} s)', 'tutorial.correct': '¡Correcto!',
  'tutorial.wrong': 'Inténtalo de nuevo (hiciste «{sign}»)', 'tutorial.wrongToast': 'Casi: eso fue «{sign}»',
  'tutorial.timeout': 'No vi ninguna seña', 'tutorial.again': 'Otra vez', 'tutorial.error': 'No se pudo cargar: {error}',

  'toast.alarmSaved': 'Alarma {time} guardada', 'toast.alarmFailed': 'No se guardó la alarma: {error}',
  'toast.alarmDeleted': 'Alarma {time} borrada', 'toast.timerStarted': 'Temporizador {time} en marcha',
  'toast.device': '{name}: {state}', 'toast.deviceFailed': '{name}: {error}', 'toast.saved': 'Guardado',
  'toast.settingsFailed': 'No se guardó: {error}', 'toast.wifiConnected': 'Conectado a {ssid}',
  'toast.wifiFailed': 'No se pudo conectar a {ssid}: {error}',
};
