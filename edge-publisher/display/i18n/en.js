// @ts-check
/** English. Keys are shared with es.js (a test checks). */
export default {
  'page.loading': 'Loading', 'page.home': 'Home', 'page.clock': 'Clock', 'page.weather': 'Weather',
  'page.devices': 'Devices', 'page.settings': 'Settings', 'page.tutorial': 'Tutorial',

  'sign.Start': 'Start', 'sign.Clima': 'Weather', 'sign.Foco': 'Light', 'sign.Ajustes': 'Settings', 'sign.Inicio': 'Home',
  'sign.Dispositivos': 'Devices', 'sign.Reloj': 'Clock', 'sign.Wifi': 'Wi-Fi', 'sign.Alarma': 'Alarm',
  'sign.Tutorial': 'Tutorial', 'sign.Anterior': 'Back', 'sign.Agregar': 'Add',

  'common.loading': 'Loading…', 'common.retry': 'Retry', 'common.cancel': 'Cancel', 'common.back': 'Back',
  'common.on': 'On', 'common.off': 'Off', 'common.yes': 'yes', 'common.no': 'no', 'common.sign': 'sign “{sign}”',

  'loading.state': 'Connecting to Helen…', 'loading.events': 'Waiting for signs…', 'loading.ready': 'Ready',
  'loading.retry': 'No answer ({error}); retrying…',

  'header.idle': 'Sign “{start}” to activate', 'header.armed': 'Active · {s} s',
  'header.connected': 'Connected', 'header.disconnected': 'Sign stream disconnected',

  'age.now': 'just now', 'age.minutes': '{n} min ago', 'age.hours': '{n} h ago', 'age.days': '{n} days ago',
  'in.minutes': 'in {m} min', 'in.hoursMinutes': 'in {h} h {m} min',

  'home.nextAlarm': 'Next alarm', 'home.noAlarms': 'No alarms',

  'clock.alarms': 'Alarms', 'clock.timer': 'Timer', 'clock.stopwatch': 'Stopwatch',
  'clock.hintTabs': '“{reloj}” switches tab · “{agregar}” adds',
  'clock.nextAlarm': 'Next: {time} ({in})', 'clock.add': 'Alarm', 'clock.newAlarm': 'New alarm',
  'clock.alarmEntryHint': 'Sign 4 digits: hours and minutes (HHMM)', 'clock.newTimer': 'New timer',
  'clock.timerEntryHint': 'Sign 4 digits: minutes and seconds (MMSS)', 'clock.setTimer': 'Timer',
  'clock.toggleAlarm': 'Turn on or off', 'clock.deleteAlarm': 'Delete alarm',
  'clock.alarmHowTo': 'With the screen active, sign “{alarma}”, then “{agregar}” and the time as 4 digits.',
  'clock.timerHowTo': '“{agregar}” and 4 digits (MMSS) start a countdown.',
  'clock.stopwatchHowTo': '“{agregar}” starts and stops the stopwatch.',
  'clock.start': 'Start', 'clock.stop': 'Stop', 'clock.reset': 'Reset',

  'ringing.alarm': 'Alarm', 'ringing.timer': 'Timer', 'ringing.timerDone': 'Time is up',
  'ringing.stop': 'Stop', 'ringing.hint': 'Make any sign or tap the screen to stop',

  'weather.updated': 'Updated {age}', 'weather.stale': 'Offline · data from {age}',
  'weather.offline': 'Weather offline', 'weather.unavailable': 'Weather is not available',
  'weather.notConfigured': 'Weather is not configured', 'weather.wind': 'Wind {speed} km/h',
  'weather.rainChance': 'Rain {p} %',

  'wmo.clear': 'Clear sky', 'wmo.mainlyClear': 'Mainly clear', 'wmo.partlyCloudy': 'Partly cloudy',
  'wmo.overcast': 'Overcast', 'wmo.fog': 'Fog', 'wmo.rimeFog': 'Rime fog', 'wmo.drizzleLight': 'Light drizzle',
  'wmo.drizzle': 'Drizzle', 'wmo.drizzleDense': 'Dense drizzle', 'wmo.freezingDrizzle': 'Freezing drizzle',
  'wmo.rainLight': 'Light rain', 'wmo.rain': 'Rain', 'wmo.rainHeavy': 'Heavy rain', 'wmo.freezingRain': 'Freezing rain',
  'wmo.snowLight': 'Light snow', 'wmo.snow': 'Snow', 'wmo.snowHeavy': 'Heavy snow', 'wmo.snowGrains': 'Snow grains',
  'wmo.showersLight': 'Light showers', 'wmo.showers': 'Showers', 'wmo.showersViolent': 'Violent showers',
  'wmo.snowShowers': 'Snow showers', 'wmo.thunderstorm': 'Thunderstorm', 'wmo.thunderstormHail': 'Thunderstorm with hail',
  'wmo.unknown': 'Unknown weather',

  'devices.notConfigured': 'Home Assistant is not configured',
  'devices.setEnv': 'Set these two variables on the edge and restart it:',
  'devices.urlExample': '— e.g. http://homeassistant.local:8123', 'devices.tokenExample': '— a long-lived access token',
  'devices.error': 'Could not reach Home Assistant', 'devices.none': 'No lights or switches',
  'devices.hint': 'Sign a device’s number to switch it · “{foco}”: the first light',
  'state.on': 'on', 'state.off': 'off', 'state.open': 'open', 'state.closed': 'closed',
  'state.unavailable': 'unavailable', 'state.undefined': '?',

  'settings.tab.general': 'General', 'settings.tab.wifi': 'Wi-Fi', 'settings.tab.help': 'Help', 'settings.tab.info': 'Info',
  'settings.language': 'Language', 'settings.handedness': 'Hand', 'settings.right': 'Right', 'settings.left': 'Left',
  'settings.sensitivity': 'Sensitivity', 'settings.strict': 'Strict', 'settings.normal': 'Normal', 'settings.sensitive': 'Sensitive',
  'settings.preview': 'Hand preview', 'settings.clock': 'Clock',
  'settings.hint': 'Activate the screen and sign an option’s number to change it; “Add” goes to the next section.',

  'net.connected': 'connected', 'net.disconnected': 'disconnected', 'net.connecting': 'connecting', 'net.unavailable': 'unavailable',
  'wifi.status': '{device}: {state} · network “{ssid}”', 'wifi.rescan': 'Scan', 'wifi.open': 'open',
  'wifi.connecting': 'Connecting…', 'wifi.connected': 'connected', 'wifi.connect': 'Connect',
  'wifi.passwordFor': 'Password for “{ssid}”', 'wifi.none': 'No Wi-Fi networks in sight',
  'wifi.unavailable': 'Wi-Fi not available', 'wifi.unavailableHint': 'Helen uses NetworkManager (nmcli) for Wi-Fi.',
  'wifi.hint': 'Sign the number of an open or known network to join it; with a keyboard, tap a network with a password.',

  'help.intro': 'First sign “{start}”: the screen stays active for 6 s (coloured ring) and every accepted sign renews it. When not active, a sign only shows the red ring.',
  'help.start': 'Activates the screen for 6 s', 'help.inicio': 'Home screen', 'help.clima': 'The weather',
  'help.reloj': 'Clock; on the clock, next tab', 'help.alarma': 'Alarms',
  'help.dispositivos': 'Lights and switches', 'help.foco': 'Switches the first light', 'help.ajustes': 'Settings',
  'help.wifi': 'Wi-Fi settings', 'help.tutorial': 'Learn the signs', 'help.anterior': 'Back to the previous screen',
  'help.agregar': 'New alarm or timer; starts/stops the stopwatch; next section or sign',
  'help.digits': 'Alarm time (HHMM), timer (MMSS), device or option number',
  'help.count': '{n} signs in all',

  'info.version': 'Version', 'info.model': 'Model', 'info.device': 'Device', 'info.mode': 'Mode',
  'info.broker': 'Broker', 'info.workers': 'Inference workers', 'info.servedBy': 'Inference on',
  'info.fallback': 'Local fallback', 'info.sensitivity': 'Sensitivity', 'info.node': 'Node.js', 'info.uptime': 'Uptime',

  'tutorial.pick': 'Pick a sign (or “{agregar}” for the next one)', 'tutorial.watch': 'Watch the sign “{sign}”',
  'tutorial.yourTurn': 'Your turn: sign “{sign}” ({s} s)', 'tutorial.correct': 'Correct!',
  'tutorial.wrong': 'Try again (that was “{sign}”)', 'tutorial.wrongToast': 'Almost: that was “{sign}”',
  'tutorial.timeout': 'No sign seen', 'tutorial.again': 'Again', 'tutorial.error': 'Could not load: {error}',

  'toast.alarmSaved': 'Alarm {time} saved', 'toast.alarmFailed': 'Alarm not saved: {error}',
  'toast.alarmDeleted': 'Alarm {time} deleted', 'toast.timerStarted': 'Timer {time} running',
  'toast.device': '{name}: {state}', 'toast.deviceFailed': '{name}: {error}', 'toast.saved': 'Saved',
  'toast.settingsFailed': 'Not saved: {error}', 'toast.wifiConnected': 'Connected to {ssid}',
  'toast.wifiFailed': 'Could not connect to {ssid}: {error}',
};
