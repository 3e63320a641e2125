; Inno Setup script for the Windows installer. Build the one-folder app first
; (pyinstaller --noconfirm --distpath dist packaging\tagassist.spec), then:
;   iscc /DAppVersion=0.1.0 /Odist packaging\windows\tagassist.iss
; Installs per user (no administrator rights needed); the uninstaller keeps the library
; database and settings in %LOCALAPPDATA%\tagassist.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F1B7C7E-3C0A-4D55-9A43-5B7D2E0F9A11}
AppName=tagassist
AppVersion={#AppVersion}
AppPublisher=tagassist
DefaultDirName={autopf}\tagassist
DefaultGroupName=tagassist
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputBaseFilename=tagassist-{#AppVersion}-windows-setup
SetupIconFile=..\..\resources\icons\tagassist.ico
UninstallDisplayIcon={app}\tagassist.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\tagassist\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\tagassist"; Filename: "{app}\tagassist.exe"
Name: "{group}\Uninstall tagassist"; Filename: "{uninstallexe}"
Name: "{autodesktop}\tagassist"; Filename: "{app}\tagassist.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\tagassist.exe"; Description: "{cm:LaunchProgram,tagassist}"; Flags: nowait postinstall skipifsilent
