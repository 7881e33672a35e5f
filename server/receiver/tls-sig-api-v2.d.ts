// Types for Tencent's official `tls-sig-api-v2` (CommonJS, ships none). Only what the receiver uses.
declare module 'tls-sig-api-v2' {
  export class Api {
    constructor(sdkappid: number, key: string);
    /** A UserSig for `userid`, valid `expire` seconds from now (the library reads the clock itself). */
    genUserSig(userid: string, expire: number): string;
    /** A PrivateMapKey (room permission ticket) for `userid` in numeric room `roomid` with `privilegeMap` bits. */
    genPrivateMapKey(userid: string, expire: number, roomid: number, privilegeMap: number): string;
    /** The same for a string room id (`strRoomId`). */
    genPrivateMapKeyWithStringRoomID(
      userid: string,
      expire: number,
      roomstr: string,
      privilegeMap: number,
    ): string;
  }
}
