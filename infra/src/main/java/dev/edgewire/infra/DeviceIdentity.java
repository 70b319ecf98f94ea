package dev.edgewire.infra;

import software.amazon.awscdk.services.iot.CfnCertificate;
import software.amazon.awscdk.services.iot.CfnPolicy;
import software.amazon.awscdk.services.iot.CfnPolicyPrincipalAttachment;
import software.amazon.awscdk.services.iot.CfnThing;
import software.amazon.awscdk.services.iot.CfnThingPrincipalAttachment;
import software.constructs.Construct;

/**
 * One device's identity in AWS IoT: the thing, its X.509 certificate issued from the device's
 * own CSR (the private key never leaves the device), attached to that thing and to the fleet's
 * IoT policy ({@link DeviceFleet}), which lets it use its own thing's topics only.
 */
public final class DeviceIdentity extends Construct {

    /**
     * @param thingName the thing's name
     * @param certificateSigningRequest the device's CSR, PEM, with the thing name as common name
     * @param policy the IoT policy the certificate is attached to
     */
    public record Props(String thingName, String certificateSigningRequest, CfnPolicy policy) {
    }

    private final CfnThing thing;
    private final CfnCertificate certificate;

    public DeviceIdentity(Construct scope, String id, Props props) {
        super(scope, id);
        thing = CfnThing.Builder.create(this, "Thing").thingName(props.thingName()).build();
        certificate = CfnCertificate.Builder.create(this, "Certificate")
                .certificateSigningRequest(props.certificateSigningRequest())
                .status("ACTIVE")
                .build();
        CfnPolicyPrincipalAttachment.Builder
                .create(this, "PolicyAttachment")
                .policyName(props.policy().getRef())
                .principal(certificate.getAttrArn())
                .build();
        CfnThingPrincipalAttachment.Builder
                .create(this, "ThingAttachment")
                .thingName(thing.getRef())
                .principal(certificate.getAttrArn())
                .build();
    }

    /** The thing's name. */
    public String thingName() {
        return thing.getRef();
    }

    /** The certificate id (what {@code aws iot describe-certificate --certificate-id} takes). */
    public String certificateId() {
        return certificate.getRef();
    }
}
