export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
/** The IANA zones the browser knows, offered as suggestions (any valid zone may still be typed). */
const TIME_ZONES: string[] = (() => {
  try {
    return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
})();
export function TimeZoneList({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {TIME_ZONES.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}
