// Pulumi's floor: what `pulumi up` and `destroy` cost a TypeScript program that imports the two
// providers' SDKs, as the stack does, and makes nothing. The stack's own seconds are above this.
import "@pulumi/docker";
import "@pulumi/command";
