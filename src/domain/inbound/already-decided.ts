/** Another process gave the mail its outcome first: this one's write is rolled back. */
export class AlreadyDecided extends Error {}
