export declare const chromiumPath: string;
export declare function chromiumArgs(extra?: string[]): string[];
